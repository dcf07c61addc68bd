"""Downloads through Maven, cached under `cache_dir`, shown with rich progress bars.

Maven keeps its own repository (~/.m2), we keep the unpacked result: a finished cache
entry is renamed into place only when complete, so an interrupted `up` never leaves a
half-filled directory that later looks valid.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from collections import deque
from pathlib import Path

from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from khabar.stack.common import StackError, console

_PROGRESS_RE = re.compile(r"Progress \(\d+\): (?:[^|]*?: )?([\d.]+)/([\d.]+) (B|kB|MB|GB)")
_DONE_RE = re.compile(r"Downloaded from [^:]+: \S+/([^/\s]+) \(")
_UNITS = {"B": 1, "kB": 1000, "MB": 1000**2, "GB": 1000**3}


def find_maven() -> str:
    """The mvn binary, or a one-line error."""
    mvn = shutil.which("mvn")
    if not mvn:
        raise StackError("Maven (mvn) not found: install Maven 3.8+ (apt-get install maven)")
    return mvn


def _progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeElapsedColumn(),
        console=console(),
        transient=False,
    )


def run_maven(args: list[str], label: str, java_home: Path | None = None) -> None:
    """Run mvn showing transfer progress; on failure raise with Maven's own error line."""
    cmd = [find_maven(), "-Dstyle.color=never", *args]
    env = dict(os.environ)
    if java_home:
        env["JAVA_HOME"] = str(java_home)
    tail: deque[str] = deque(maxlen=30)
    downloaded = 0
    with _progress() as progress:
        task = progress.add_task(label, total=None)
        proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, bufsize=1,
            stdin=subprocess.DEVNULL, cwd=Path.home(),
        )
        assert proc.stdout is not None
        buf = ""
        while chunk := proc.stdout.read(256):
            buf += chunk
            *pieces, buf = re.split(r"[\r\n]", buf)
            for piece in pieces:
                if m := _PROGRESS_RE.search(piece):
                    unit = _UNITS[m.group(3)]
                    progress.update(task, completed=float(m.group(1)) * unit,
                                    total=float(m.group(2)) * unit)
                elif m := _DONE_RE.search(piece):
                    downloaded += 1
                    progress.update(task, description=f"{label} ({downloaded} files)")
                elif piece.strip():
                    tail.append(piece)
        code = proc.wait()
        total = progress.tasks[0].total
        progress.update(task, completed=total or 0, total=total or 0)
    if code != 0:
        errors = [ln for ln in tail if "[ERROR]" in ln] or list(tail)
        first = errors[0].replace("[ERROR] ", "").strip() if errors else f"exit code {code}"
        raise StackError(f"{label} failed: {first[:300]}")


def unzip(archive: Path, dest: Path, label: str) -> Path:
    """Extract a zip keeping Unix permission bits (zipfile drops them); returns the top dir.

    Extracts into a temporary sibling and renames, so `dest` exists only when complete.
    """
    tmp = dest.with_name(dest.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    with zipfile.ZipFile(archive) as zf, _progress() as progress:
        members = zf.infolist()
        task = progress.add_task(label, total=sum(m.file_size for m in members))
        for info in members:
            target = Path(zf.extract(info, tmp))
            mode = (info.external_attr >> 16) & 0o777
            if mode and not info.is_dir():
                target.chmod(mode)
            progress.advance(task, info.file_size)
    tops = list(tmp.iterdir())
    root = tops[0] if len(tops) == 1 and tops[0].is_dir() else tmp
    shutil.rmtree(dest, ignore_errors=True)
    root.rename(dest)
    shutil.rmtree(tmp, ignore_errors=True)
    return dest


def link_tree(src: Path, dest: Path, skip: frozenset[str] = frozenset()) -> None:
    """Mirror a read-only tree with hard links (copies across filesystems); `skip`: top-level names.

    Used to give the Elasticsearch user a readable copy of files that live in root's cache
    without doubling the disk space.
    """
    tmp = dest.with_name(dest.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)

    def _link(s: str, d: str) -> None:
        try:
            os.link(s, d)
        except OSError:
            shutil.copy2(s, d)

    def _ignore(directory: str, names: list[str]) -> list[str]:
        return [n for n in names if n in skip] if Path(directory) == src else []

    shutil.copytree(src, tmp, copy_function=_link, symlinks=True, ignore=_ignore)
    shutil.rmtree(dest, ignore_errors=True)
    tmp.rename(dest)
