"""paramiko's transport reads its socket ahead: a burst of SSH packets costs one read, and the
bytes it serves are the socket's, whole and in order, whatever sizes are asked.

On a socket pair and with paramiko's own `Packetizer` (unencrypted, as before the key
exchange); every lab test over SSH reads through it as well.
"""

from __future__ import annotations

import socket
import threading

import paramiko.transport
import pytest
from paramiko.message import Message
from paramiko.packet import Packetizer

from inspector.collect import _ReadAhead, load_netmiko


class CountingSocket(socket.socket):
    """A real socket that counts the reads it is asked for."""

    reads = 0

    def recv(self, n: int, *args: int) -> bytes:
        self.reads += 1
        return super().recv(n, *args)

    def recv_into(self, buffer: bytearray, *args: int) -> int:  # type: ignore[override]
        self.reads += 1
        return super().recv_into(buffer, *args)


def _pair() -> tuple[CountingSocket, socket.socket]:
    a, b = socket.socketpair()
    reader = CountingSocket(fileno=a.detach())
    reader.settimeout(2)
    return reader, b


def test_bytes_are_served_whole_and_in_order_whatever_sizes_are_asked() -> None:
    reader, writer = _pair()
    sent = bytes(range(256)) * 1000  # 256 kB: more than the buffer holds, several times

    def send() -> None:
        writer.sendall(sent)
        writer.close()

    sender = threading.Thread(target=send)
    sender.start()
    ahead = _ReadAhead(reader)
    got = bytearray()
    sizes = [16, 5, 70000, 1, 300, 65536, 4096]
    for i in range(10_000):
        asked = sizes[i % len(sizes)]
        chunk = ahead.recv(asked)
        if not chunk:
            break
        assert len(chunk) <= asked
        got += chunk
    sender.join()
    assert bytes(got) == sent
    assert ahead.recv(16) == b""  # the end of the stream, as paramiko expects it


def test_no_read_returns_more_than_asked() -> None:
    reader, writer = _pair()
    writer.sendall(b"x" * 5000)
    ahead = _ReadAhead(reader)
    assert [len(ahead.recv(n)) for n in (16, 100, 1, 4000)] == [16, 100, 1, 4000]
    assert len(ahead.recv(4000)) == 5000 - 4117  # what is left, no more
    writer.close()


def test_a_quiet_socket_still_times_out_for_paramiko() -> None:
    reader, writer = _pair()
    reader.settimeout(0.05)
    with pytest.raises(socket.timeout):
        _ReadAhead(reader).recv(16)
    writer.close()


def _burst(count: int) -> bytes:
    """`count` SSH packets as paramiko sends them before the key exchange."""
    a, b = socket.socketpair()
    sender = Packetizer(a)
    for i in range(count):
        message = Message()
        message.add_byte(bytes([94]))  # MSG_CHANNEL_DATA
        message.add_int(0)
        message.add_string(f"line {i}\r\n" * 10)
        sender.send_message(message)
    a.close()
    data = b""
    while chunk := b.recv(65536):
        data += chunk
    b.close()
    return data


def test_a_burst_of_packets_costs_one_read_where_paramiko_alone_takes_two_a_packet() -> None:
    burst = _burst(10)
    reads = {}
    for name, wrap in (("alone", lambda s: s), ("ahead", _ReadAhead)):
        reader, writer = _pair()
        writer.sendall(burst)
        packetizer = Packetizer(wrap(reader))
        texts = []
        for _ in range(10):
            kind, message = packetizer.read_message()
            assert kind == 94 and message.get_int() == 0
            texts.append(message.get_string())
        assert texts == [f"line {i}\r\n".encode() * 10 for i in range(10)]
        reads[name] = reader.reads
        writer.close()
    assert reads["alone"] == 20
    assert reads["ahead"] == 1


def test_every_transport_reads_its_own_socket_ahead_and_nothing_else() -> None:
    load_netmiko()
    reader, writer = _pair()
    assert isinstance(paramiko.transport.Packetizer(reader)._Packetizer__socket,  # type: ignore[attr-defined]
                      _ReadAhead)

    class NotASocket:  # a jump host's channel, a proxy command
        def recv(self, n: int) -> bytes:
            return b""

    stream = NotASocket()
    assert paramiko.transport.Packetizer(stream)._Packetizer__socket is stream  # type: ignore[attr-defined]
    reader.close()
    writer.close()
