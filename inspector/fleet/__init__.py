"""The fleet: every signed run in one database (inspector.fleet.db), what the store keeps of
each chassis's record and what changed between two of them (inspector.fleet.inspection)."""

# Fields (globs over the names `inspector diff` prints) that change between two inspections of
# a chassis nothing happened to; a diff leaves them out unless asked for every field. Kept
# here, apart from the diff's code, so that `inspector diff --help` lists them without
# importing it.
MOVING = (
    "license/usage_reporting/*",  # when usage was last reported and acknowledged
)
