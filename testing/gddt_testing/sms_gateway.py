"""A local SMS gateway for the tests and the bench: a real HTTP server on 127.0.0.1 in the shape of
GDDT_SMS_BACKEND=http's default body. Like a real gateway it accepts a reference once (a repeat gets the first
answer), and it counts every POST (`sends`) apart from the messages it accepted (`accepted`). A test can make it
fail: `behaviour(request)` answers what to do with each POST before it is accepted."""

import itertools
import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Answer:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering (longer than the client's read timeout: a timeout)


@dataclass(frozen=True)
class Post:
    to: str
    text: str
    reference: str
    attempt: int  # 1 for the first POST of this reference
    authorization: str


class GatewayStub:
    """Use as a context manager; `url` is where to POST."""

    def __init__(self, behaviour: Callable[[Post], Answer | None] | None = None):
        self.behaviour = behaviour
        self.lock = threading.Lock()
        self.sends: Counter[str] = Counter()  # POSTs per reference
        self.accepted: dict[str, dict] = {}  # reference -> the body first accepted
        self.ids: dict[str, str] = {}
        self._numbers = itertools.count(1)
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as a real gateway
            disable_nagle_algorithm = True  # headers and body go in two writes: no 40 ms wait for a delayed ACK

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    message = json.loads(body)
                    reference = str(message["reference"])
                except (ValueError, KeyError, TypeError):
                    return self._answer(400, {"error": "bad request"})
                with stub.lock:
                    stub.sends[reference] += 1
                    post = Post(
                        to=str(message.get("to")),
                        text=str(message.get("text")),
                        reference=reference,
                        attempt=stub.sends[reference],
                        authorization=self.headers.get("Authorization", ""),
                    )
                answer = stub.behaviour(post) if stub.behaviour else None
                if answer is not None:
                    if answer.delay:
                        time.sleep(answer.delay)
                    if answer.status >= 300:
                        return self._answer(answer.status, {"error": "refused"}, answer.headers)
                with stub.lock:
                    if reference not in stub.accepted:
                        stub.accepted[reference] = message
                        stub.ids[reference] = f"gw-{next(stub._numbers)}"
                    provider_id = stub.ids[reference]
                return self._answer(200, {"id": provider_id, "status": "accepted"})

            def do_GET(self) -> None:  # the counts, for a gateway running in a process of its own (bench/sms.py)
                with stub.lock:
                    counts = {"sends": sum(stub.sends.values()), "accepted": len(stub.accepted)}
                return self._answer(200, counts)

            def _answer(self, status: int, payload: dict, headers: dict[str, str] | None = None) -> None:
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    for name, value in (headers or {}).items():
                        self.send_header(name, value)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up (its read timeout)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> "GatewayStub":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def total_sends(self) -> int:
        with self.lock:
            return sum(self.sends.values())

    def accepted_texts(self) -> list[str]:
        with self.lock:
            return [str(message.get("text")) for message in self.accepted.values()]
