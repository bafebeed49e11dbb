"""TCP 9100 transport against real local socket servers."""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Callable, Iterator

import pytest

from printing.status import PrinterState
from printing.transports import (
    PrinterDisconnected,
    PrinterNotFound,
    PrinterOffline,
    PrinterTimeout,
    open_transport,
)

Handler = Callable[[socket.socket, "RawServer"], None]


class RawServer:
    """A one-port raw printer: each connection is handed to `handler` on its own thread."""

    def __init__(self, handler: Handler, *, rcvbuf: int | None = None) -> None:
        self.handler = handler
        self.jobs: list[bytes] = []
        self.done = threading.Event()
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:
            self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.port = self.listener.getsockname()[1]
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            self.handler(conn, self)

    def close(self) -> None:
        self.stop.set()
        self.listener.close()


def read_job(conn: socket.socket, server: RawServer) -> None:
    data = bytearray()
    while block := conn.recv(65536):
        data += block
    server.jobs.append(bytes(data))
    server.done.set()


@pytest.fixture
def serve() -> Iterator[Callable[..., RawServer]]:
    servers: list[RawServer] = []

    def start(handler: Handler, **kwargs: int) -> RawServer:
        server = RawServer(handler, **kwargs)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def test_send_delivers_the_whole_job(serve: Callable[..., RawServer]) -> None:
    server = serve(read_job)
    job = b"^XA" + bytes(range(256)) * 4000 + b"^XZ"
    open_transport(f"zpl+tcp://127.0.0.1:{server.port}?chunk=4096").send(job, job_name="j")
    assert server.done.wait(10)
    assert server.jobs == [job]


def test_each_send_is_its_own_connection(serve: Callable[..., RawServer]) -> None:
    server = serve(read_job)
    transport = open_transport(f"tspl+tcp://127.0.0.1:{server.port}")
    transport.send(b"PRINT 1\r\n", job_name="a")
    transport.send(b"PRINT 2\r\n", job_name="b")
    assert server.jobs == [b"PRINT 1\r\n", b"PRINT 2\r\n"]


def test_refused_connection_is_offline(serve: Callable[..., RawServer]) -> None:
    # Held bound, never listening: it refuses every connection and no other process can take
    # the port meanwhile (a closed probe's port can be bound by anyone).
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        transport = open_transport(f"zpl+tcp://127.0.0.1:{port}")
        with pytest.raises(PrinterOffline) as info:
            transport.send(b"^XA^XZ", job_name="j")
        assert "refused" in info.value.message
        assert info.value.retryable
        assert transport.query_status().state is PrinterState.OFFLINE


def test_unknown_host_is_not_found(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_dns(*args: object, **kwargs: object) -> socket.socket:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "create_connection", no_dns)
    with pytest.raises(PrinterNotFound, match="does not resolve"):
        open_transport("zpl+tcp://printer.invalid").send(b"x", job_name="j")


def test_printer_that_stops_reading_times_out(serve: Callable[..., RawServer]) -> None:
    release = threading.Event()

    def stall(conn: socket.socket, server: RawServer) -> None:
        release.wait(30)  # accept, never read: the client's buffers fill up

    server = serve(stall, rcvbuf=4096)
    job = b"\x00" * (24 << 20)
    try:
        with pytest.raises(PrinterTimeout) as info:
            open_transport(f"zpl+tcp://127.0.0.1:{server.port}?timeout=0.5").send(job, job_name="j")
    finally:
        release.set()
    assert 0 < info.value.bytes_sent < len(job)
    assert info.value.total == len(job)


def test_printer_that_drops_the_connection_mid_job(serve: Callable[..., RawServer]) -> None:
    def drop(conn: socket.socket, server: RawServer) -> None:
        conn.recv(1000)
        # SO_LINGER 0: close with a reset, like a printer that power-cycles.
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    server = serve(drop, rcvbuf=4096)
    job = b"\x00" * (24 << 20)
    with pytest.raises(PrinterDisconnected) as info:
        open_transport(f"zpl+tcp://127.0.0.1:{server.port}").send(job, job_name="j")
    assert 0 < info.value.bytes_sent < len(job)
    assert f"of {len(job)} bytes" in info.value.message


def _answering(answers: dict[bytes, bytes]) -> Handler:
    def handler(conn: socket.socket, server: RawServer) -> None:
        received = bytearray()
        while block := conn.recv(1024):
            received += block
            for query, answer in answers.items():
                if query in received:
                    conn.sendall(answer)
                    received.clear()

    return handler


def test_zpl_status_over_the_same_socket(serve: Callable[..., RawServer]) -> None:
    answer = (
        b"\x02030,1,0,1218,000,0,0,0,000,0,0,0\x03\r\n"
        b"\x02001,0,0,0,0,2,6,0,00000000,1,000\x03\r\n"
        b"\x021234,0\x03\r\n"
    )
    server = serve(_answering({b"~HS": answer}))
    status = open_transport(f"zpl+tcp://127.0.0.1:{server.port}").query_status()
    assert status.state is PrinterState.PAPER_OUT


def test_escpos_status_answer_split_across_packets(serve: Callable[..., RawServer]) -> None:
    def handler(conn: socket.socket, server: RawServer) -> None:
        received = bytearray()
        while len(received) < 9:
            received += conn.recv(64)
        assert bytes(received) == b"\x10\x04\x01\x10\x04\x02\x10\x04\x04"
        for byte in (b"\x12", b"\x12", b"\x12"):
            conn.sendall(byte)

    server = serve(handler)
    assert open_transport(f"escpos+tcp://127.0.0.1:{server.port}").query_status().ready


def test_tspl_status(serve: Callable[..., RawServer]) -> None:
    server = serve(_answering({b"\x1b!?": b"\x01"}))
    status = open_transport(f"tspl+tcp://127.0.0.1:{server.port}").query_status()
    assert status.state is PrinterState.HEAD_OPEN


def test_printer_that_never_answers_is_unknown(serve: Callable[..., RawServer]) -> None:
    server = serve(read_job)  # reads, never answers
    status = open_transport(f"zpl+tcp://127.0.0.1:{server.port}?timeout=0.5").query_status()
    assert status.state is PrinterState.UNKNOWN


def test_pdf_over_tcp_has_no_status_query(serve: Callable[..., RawServer]) -> None:
    server = serve(read_job)
    assert open_transport(f"pdf+tcp://127.0.0.1:{server.port}").query_status().state is (
        PrinterState.UNKNOWN
    )
