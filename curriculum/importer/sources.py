"""Read a program's files from a folder, a single `.md` file, a `.zip` or a git URL into memory.

This module is the only place the importer touches the file system. Everything it returns is a
`SourceTree`: relative POSIX paths mapped to bytes. The table of contents, links and images are
resolved against that mapping only, so nothing outside the program root can ever be read through
them. Limits (file size, count, total, depth) raise ImportRefused instead of reading on.
"""

import io
import ipaddress
import mimetypes
import os
import re
import socket
import stat
import subprocess  # nosec B404
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO
from urllib.parse import urlsplit, urlunsplit

from curriculum.markdown.structure import Warning

from .errors import ImportRefused
from .limits import DEFAULT_LIMITS, Limits

MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
# Files an item may show or link to. Anything else in the tree (scripts, CI files) is not read.
ASSET_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".pdf"})
GIT_URL_SCHEMES = frozenset({"https", "ssh", "git", "file"})
_SCP_LIKE = re.compile(r"^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[A-Za-z0-9._~/-]+$")  # git@host:org/repo
_SAFE_REF = re.compile(r"^[A-Za-z0-9._/+-]{1,200}$")


@dataclass
class SourceTree:
    """A program's files, read and checked. `files` keys are POSIX paths relative to the root."""

    kind: str  # a curriculum.models.SourceKind value
    location: str  # shown to people and stored; credentials are stripped from URLs
    name: str  # a short name for the default program slug: folder, archive or repository name
    files: dict[str, bytes] = field(default_factory=dict)
    warnings: list[Warning] = field(default_factory=list)
    ref: str = ""
    commit: str = ""
    single_file: bool = False


def is_markdown(path: str) -> bool:
    return PurePosixPath(path).suffix.lower() in MARKDOWN_SUFFIXES


def is_asset(path: str) -> bool:
    return PurePosixPath(path).suffix.lower() in ASSET_SUFFIXES


def content_type_for(path: str) -> str:
    guessed, _ = mimetypes.guess_type(path)
    return guessed or "application/octet-stream"


def looks_like_git_url(source: str) -> bool:
    return "://" in source or bool(_SCP_LIKE.match(source))


def load_source(
    source: str | os.PathLike[str], *, ref: str | None = None, limits: Limits = DEFAULT_LIMITS
) -> SourceTree:
    """Pick the reader by what SOURCE is: an existing folder, `.md` or `.zip`, else a git URL."""
    text = os.fspath(source)
    if ref and not looks_like_git_url(text):
        raise ImportRefused("--ref only applies to a git URL")
    if looks_like_git_url(text) and not Path(text).exists():
        return load_git(text, ref=ref, limits=limits)
    path = Path(text)
    if path.is_dir():
        return load_folder(path, limits=limits)
    if path.is_file() and is_markdown(path.name):
        return load_markdown_file(path, limits=limits)
    if path.is_file() and path.suffix.lower() == ".zip":
        if path.stat().st_size > limits.max_zip_bytes:
            raise ImportRefused(f"the archive is larger than {limits.max_zip_bytes} bytes")
        with path.open("rb") as handle:
            return load_zip(handle, name=path.name, limits=limits)
    if path.exists():
        raise ImportRefused(
            f"{path.name} is not a folder, a .md file, a .zip or a git URL", source=path.name
        )
    raise ImportRefused(f"{text} does not exist (and is not a git URL)")


def _read_bounded(path: Path, limits: Limits, rel: str) -> bytes:
    with path.open("rb") as handle:
        data = handle.read(limits.max_file_bytes + 1)
    if len(data) > limits.max_file_bytes:
        raise ImportRefused(f"file is larger than {limits.max_file_bytes} bytes", source=rel)
    return data


def load_markdown_file(path: Path, *, limits: Limits = DEFAULT_LIMITS) -> SourceTree:
    data = _read_bounded(path, limits, path.name)
    return SourceTree(
        kind="file",
        location=str(path),
        name=path.stem,
        files={path.name: data},
        single_file=True,
    )


def load_folder(root: Path, *, limits: Limits = DEFAULT_LIMITS) -> SourceTree:
    tree = SourceTree(kind="folder", location=str(root), name=root.resolve().name)
    tree.files = read_folder(root, limits=limits, warnings=tree.warnings)
    return tree


def read_folder(root: Path, *, limits: Limits, warnings: list[Warning]) -> dict[str, bytes]:
    """Read the Markdown and asset files under root; symlinks that leave it are skipped with a
    warning, hidden files and folders (.git, .github) are ignored."""
    real_root = root.resolve(strict=True)
    files: dict[str, bytes] = {}
    counted = 0
    total = 0
    for dirpath, dirnames, filenames in os.walk(real_root, followlinks=False):
        here = Path(dirpath)
        depth = len(here.relative_to(real_root).parts)
        if depth > limits.max_depth:
            rel_dir = here.relative_to(real_root).as_posix()
            raise ImportRefused(
                f"folders are nested deeper than {limits.max_depth} levels", source=rel_dir
            )
        dirnames[:] = sorted(name for name in dirnames if not name.startswith("."))
        for name in list(dirnames):
            if (here / name).is_symlink():
                # os.walk does not follow it; a link inside the root is reachable anyway.
                dirnames.remove(name)
                _warn_if_outside(here / name, real_root, warnings)
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            counted += 1
            if counted > limits.max_files:
                raise ImportRefused(f"the program has more than {limits.max_files} files")
            path = here / name
            rel = path.relative_to(real_root).as_posix()
            if not (is_markdown(name) or is_asset(name)):
                continue
            target = path.resolve()
            if not target.is_relative_to(real_root):
                warnings.append(
                    Warning(rel, None, "symbolic link leaves the program folder; not read")
                )
                continue
            if not target.is_file():
                continue
            data = _read_bounded(target, limits, rel)
            total += len(data)
            if total > limits.max_total_bytes:
                raise ImportRefused(f"the program is larger than {limits.max_total_bytes} bytes")
            files[rel] = data
    return files


def _warn_if_outside(path: Path, real_root: Path, warnings: list[Warning]) -> None:
    if not path.resolve().is_relative_to(real_root):
        rel = path.relative_to(real_root).as_posix()
        warnings.append(Warning(rel, None, "symbolic link leaves the program folder; not read"))


def load_zip(
    archive: BinaryIO | bytes, *, name: str = "upload.zip", limits: Limits = DEFAULT_LIMITS
) -> SourceTree:
    """Read an archive in memory. Entries with absolute names, `..`, or that are symlinks refuse
    the whole archive: an archive built that way is either broken or an attack."""
    handle = io.BytesIO(archive) if isinstance(archive, bytes) else archive
    try:
        zf = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ImportRefused(f"not a readable zip archive ({exc})", source=name) from None
    with zf:
        entries = [info for info in zf.infolist() if not info.is_dir()]
        paths = [_zip_entry_path(info) for info in entries]
        prefix = _common_top_folder(paths)
        files: dict[str, bytes] = {}
        counted = 0
        total = 0
        for info, parts in zip(entries, paths, strict=True):
            if any(part.startswith(".") or part == "__MACOSX" for part in parts):
                continue
            counted += 1
            if counted > limits.max_files:
                raise ImportRefused(f"the archive has more than {limits.max_files} files")
            rel_parts = parts[len(prefix) :]
            rel = "/".join(rel_parts)
            if len(rel_parts) - 1 > limits.max_depth:
                raise ImportRefused(
                    f"folders are nested deeper than {limits.max_depth} levels", source=rel
                )
            if not (is_markdown(rel) or is_asset(rel)):
                continue
            # The header's size can lie; reading at most limit + 1 bytes is what protects us.
            if info.file_size > limits.max_file_bytes:
                raise ImportRefused(
                    f"file is larger than {limits.max_file_bytes} bytes", source=rel
                )
            try:
                with zf.open(info) as entry:
                    data = entry.read(limits.max_file_bytes + 1)
            except (zipfile.BadZipFile, OSError, NotImplementedError, RuntimeError) as exc:
                raise ImportRefused(f"cannot read this archive entry ({exc})", source=rel) from None
            if len(data) > limits.max_file_bytes:
                raise ImportRefused(
                    f"file is larger than {limits.max_file_bytes} bytes", source=rel
                )
            total += len(data)
            if total > limits.max_total_bytes:
                raise ImportRefused(f"the archive holds more than {limits.max_total_bytes} bytes")
            files[rel] = data
    stem = prefix[0] if prefix else PurePosixPath(name).stem
    return SourceTree(kind="zip", location=name, name=stem, files=files)


def _zip_entry_path(info: zipfile.ZipInfo) -> tuple[str, ...]:
    raw = info.filename
    name = raw.replace("\\", "/")
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        raise ImportRefused("archive entry has an absolute path; archive refused", source=raw)
    parts = tuple(part for part in name.split("/") if part not in ("", "."))
    if ".." in parts:
        raise ImportRefused("archive entry leaves the archive (..); archive refused", source=raw)
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise ImportRefused("archive entry is a symbolic link; archive refused", source=raw)
    if not parts:
        raise ImportRefused("archive entry has an empty name; archive refused", source=raw)
    return parts


def _common_top_folder(paths: list[tuple[str, ...]]) -> tuple[str, ...]:
    """An archive of a folder usually holds `name/...`: strip that single top folder."""
    visible = [parts for parts in paths if parts and not parts[0].startswith(".")]
    tops = {parts[0] for parts in visible if parts[0] != "__MACOSX"}
    if len(tops) == 1 and all(len(parts) > 1 for parts in visible if parts[0] in tops):
        return (tops.pop(),)
    return ()


def redact_url(url: str) -> str:
    """Drop a user name and password from a URL before it is shown or stored."""
    parts = urlsplit(url)
    if parts.password or parts.username:
        netloc = parts.hostname or ""
        if parts.port:
            netloc += f":{parts.port}"
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def check_git_url(url: str) -> None:
    if url.startswith("-"):
        raise ImportRefused("a git URL cannot start with '-'")
    if _SCP_LIKE.match(url):
        return
    scheme = urlsplit(url).scheme.lower()
    if scheme not in GIT_URL_SCHEMES:
        allowed = ", ".join(sorted(GIT_URL_SCHEMES))
        raise ImportRefused(f"git URL scheme '{scheme}' is not allowed (use one of: {allowed})")


def git_url_host(url: str) -> str:
    """The host a git URL names (the part after @ for git@host:org/repo)."""
    if _SCP_LIKE.match(url):
        return url.split("@", 1)[1].split(":", 1)[0].lower()
    return (urlsplit(url).hostname or "").lower()


def check_git_host(
    url: str,
    *,
    allowed_hosts: frozenset[str] = frozenset(),
    resolve: Callable[[str], list[str]] | None = None,
) -> None:
    """Refuse a URL whose host is, or resolves to, a loopback, link-local, private or other
    non-public address, unless the host is in ALLOWED_HOSTS: an import asked from the browser
    makes the worker fetch it, and must not reach the server's own network.

    A name that does not resolve now is let through: git cannot reach it either, and the
    worker checks again right before it clones.
    """
    if url.lower().startswith("file:"):
        return  # file: URLs have their own rule (CURRICULUM_WEB_ALLOWS_FILE_GIT_URLS)
    host = git_url_host(url)
    if not host:
        raise ImportRefused("the git URL names no host")
    if host in allowed_hosts:
        return
    try:
        addresses = [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        try:
            addresses = [ipaddress.ip_address(a) for a in (resolve or _resolve)(host)]
        except OSError:
            return
    for address in addresses:
        if not address.is_global or address.is_multicast:
            raise ImportRefused(
                f"{host} is a loopback, link-local or private address ({address}); "
                "only public git hosts can be imported from here"
            )


def _resolve(host: str) -> list[str]:
    return sorted({str(info[4][0]).split("%")[0] for info in socket.getaddrinfo(host, None)})


def check_git_ref(ref: str) -> None:
    if not _SAFE_REF.match(ref) or ref.startswith("-") or ".." in ref:
        raise ImportRefused(f"'{ref}' is not a branch or tag name git accepts here")


def _git(args: list[str], *, timeout: int, cwd: str | None = None) -> str:
    env = {
        **os.environ,
        "GIT_TERMINAL_PROMPT": "0",  # never wait for a password on stdin
        "GIT_SSH_COMMAND": "ssh -o BatchMode=yes -o StrictHostKeyChecking=accept-new",
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    try:
        # A fixed argv and no shell; the URL and ref were checked above. git comes from PATH:
        # it is the deployment's own git (bandit B603/B607 waived for this one call).
        done = subprocess.run(  # noqa: S603  # nosec B603 B607
            ["git", *args],  # noqa: S607
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ImportRefused(f"git did not finish within {timeout} seconds") from None
    except FileNotFoundError:
        raise ImportRefused("git is not installed on this server") from None
    if done.returncode != 0:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
        reason = lines[-1] if lines else f"exit status {done.returncode}"
        raise ImportRefused(f"git {args[0]} failed: {reason}")
    return done.stdout.strip()


def load_git(url: str, *, ref: str | None = None, limits: Limits = DEFAULT_LIMITS) -> SourceTree:
    """Shallow-clone into a temporary folder, record the commit, read it like a folder."""
    check_git_url(url)
    if ref:
        check_git_ref(ref)
    shown = redact_url(url)
    with tempfile.TemporaryDirectory(prefix="curriculum-git-") as tmp:
        dest = os.path.join(tmp, "repo")
        args = ["clone", "--quiet", "--depth", "1", "--single-branch", "--no-tags"]
        # No HTTP redirects: a public host checked by check_git_host could otherwise send the
        # clone on to an internal address (a renamed repository needs its new URL instead).
        args += ["--config", "http.followRedirects=false"]
        if ref:
            args += ["--branch", ref]
        _git([*args, "--", url, dest], timeout=limits.git_timeout_seconds)
        commit = _git(["rev-parse", "HEAD"], cwd=dest, timeout=30)
        name = PurePosixPath(urlsplit(url).path or url.rsplit(":", 1)[-1]).name
        name = name.removesuffix(".git") or "program"
        tree = SourceTree(kind="git", location=shown, name=name, ref=ref or "", commit=commit)
        tree.files = read_folder(Path(dest), limits=limits, warnings=tree.warnings)
    return tree
