"""``warroom`` itself in a pseudo-terminal, for what only a real process shows: signals, the
terminal restored, the exit status and what is printed after exit."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import termios
import threading
import time


class TuiProcess:
    def __init__(self, exe: str, env: dict[str, str], *args: str, size: tuple[int, int] = (120, 40)) -> None:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
        env = dict(env, TERM="xterm-256color", COLUMNS=str(size[0]), LINES=str(size[1]))
        env.pop("TEXTUAL", None)
        self.proc = subprocess.Popen([exe, *args], stdin=slave, stdout=slave, stderr=slave, env=env,
                                     start_new_session=True, close_fds=True)
        os.close(slave)
        self._master = master
        self._chunks: list[bytes] = []
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self._master, 65536)
            except OSError:
                return
            if not data:
                return
            with self._lock:
                self._chunks.append(data)

    @property
    def output(self) -> bytes:
        with self._lock:
            return b"".join(self._chunks)

    def text(self) -> str:
        """The output with the escape sequences' parameters left in: good enough to find words."""
        return self.output.decode("utf-8", "replace")

    def wait_for(self, predicate, timeout: float = 20.0, what: str = "output") -> None:
        deadline = time.monotonic() + timeout
        while not predicate(self.text()):
            if self.proc.poll() is not None:
                raise AssertionError(f"warroom exited ({self.proc.returncode}) before {what}:\n{self.text()[-2000:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}:\n{self.text()[-2000:]}")
            time.sleep(0.05)

    def type(self, text: str) -> None:
        os.write(self._master, text.encode())

    def wait(self, timeout: float = 20.0) -> int:
        code = self.proc.wait(timeout)
        self._reader.join(5)
        return code

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        try:
            os.close(self._master)
        except OSError:
            pass
