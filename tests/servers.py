"""Real processes for tests that need more than one app server: a Redis URL to share, gunicorn on a free port."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def redis_url_or_skip() -> str:
    """REDIS_TEST_URL (CI sets it: then Redis must answer), else Redis on this machine if it answers, else skip."""
    import redis

    required = os.environ.get("REDIS_TEST_URL")
    url = required or "redis://127.0.0.1:6379/5"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        if required:
            pytest.fail(f"REDIS_TEST_URL={required} is set but Redis does not answer: {error}")
        pytest.skip(f"no Redis at {url} ({error}); set REDIS_TEST_URL to require it")
    return url


def delete_prefix(url: str, prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(f"{prefix}*", count=1000))
    if keys:
        client.delete(*keys)


def unique_prefix() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str, headers: dict | None = None, timeout: float = 10) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def wait_until_up(url: str, timeout: float = 30, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{url}: the server exited with {process.returncode}")
        try:
            if get(url, timeout=2)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


class Gunicorn:
    """`gunicorn config.wsgi` on 127.0.0.1:port with the given environment; stop() ends it and its workers."""

    def __init__(self, port: int, env: dict, *, workers: int = 2, log: Path | None = None):
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        out = open(log, "ab") if log else subprocess.DEVNULL
        self.process = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)],
            cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=out, start_new_session=True,
        )  # fmt: skip

    def wait(self, timeout: float = 30) -> "Gunicorn":
        wait_until_up(self.url + "/healthz", timeout, self.process)
        return self

    def stop(self, sig=signal.SIGTERM) -> None:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
