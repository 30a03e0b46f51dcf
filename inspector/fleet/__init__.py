"""The fleet: every signed run in one database (inspector.fleet.db), what the store keeps of
each chassis's record and what changed between two of them (inspector.fleet.inspection)."""
