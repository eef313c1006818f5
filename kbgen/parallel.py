"""Spread parsing and rendering over the machine's cores with forked worker processes.

Workers are forked after the site is assembled, so they share it copy-on-write and only the
results (parsed notes, rendered bytes) cross process boundaries. While rendering, this process
takes chunks too (one worker fewer); a worker that dies fails the work rather than hanging it.
"""
from __future__ import annotations

import copyreg
import dataclasses
import gc
import io
import multiprocessing as mp
import operator
import os
import pickle
import signal
import threading
from typing import Any, Callable

from markdown_it.token import Token

_shared: dict[str, Any] = {}

GUIDED_MIN = 8
"""The smallest chunk _guided makes: below this, handing a chunk over costs more than it balances."""
POLL = 0.05
"""Seconds between looks at whether the workers are still alive while waiting for a result."""

_FIELDS = ("type", "tag", "nesting", "attrs", "map", "level", "children", "content", "markup", "info",
           "meta", "block", "hidden")
_SAME_TOKEN = tuple(f.name for f in dataclasses.fields(Token)) == _FIELDS
"""markdown-it's Token has the fields restore_token() sets (else tokens are pickled as usual).
(markdown/tokens.py keeps the same list: importing it from here would load the markdown package
with every `kbgen build`, through cli's import of WorkerDied, ~20 ms on a warm build.)"""


def pickle_tokens(tokens: list[Token]) -> bytes:
    """A note's tokens pickled, each Token as the tuple of its fields that restore_token()
    takes back. Token is a slots dataclass, pickled by default through Python-level
    __getstate__ and __setstate__: on the 1 000-note vault that way took 280 ms to dump and
    260 ms to load (the render workers load every note's tokens), this way 120 and 170 ms,
    a third fewer bytes. Anything pickle.loads reads it."""
    if not _SAME_TOKEN:
        return pickle.dumps(tokens, protocol=pickle.HIGHEST_PROTOCOL)
    buf = io.BytesIO()
    pickler = pickle.Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = {**copyreg.dispatch_table, Token: _reduce_token}
    pickler.dump(tokens)
    return buf.getvalue()


_token_fields = operator.attrgetter(*_FIELDS)


def _reduce_token(t: Token) -> tuple[Any, ...]:
    return restore_token, _token_fields(t)


_new = object.__new__


def restore_token(type: str, tag: str, nesting: int, attrs: dict[str, Any], map: list[int] | None,
                  level: int, children: list[Token] | None, content: str, markup: str, info: str,
                  meta: dict[Any, Any], block: bool, hidden: bool) -> Token:
    """A Token from pickle_tokens(): its fields set as they were (no __init__: its
    __post_init__ would convert the attributes again). Named in every pickle: keep the name."""
    t = _new(Token)
    t.type, t.tag, t.nesting, t.attrs, t.map, t.level, t.children = type, tag, nesting, attrs, map, level, children
    t.content, t.markup, t.info, t.meta, t.block, t.hidden = content, markup, info, meta, block, hidden
    return t


def _context() -> Any:
    return mp.get_context("fork")


PR_SET_PDEATHSIG = 1
"""prctl() option (linux/prctl.h): the signal a process gets when its parent dies."""


def _die_with_parent(parent: int) -> None:
    """Pool initializer: on Linux a worker is killed with the build that forked it, rather than
    going on with the tasks it holds, writing into a staging folder the next build removes."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return  # not Linux: the worker ends when it finds its task queue closed
    if os.getppid() != parent:  # the build died before the request took effect
        os._exit(1)



def _chunks(items: list[Any], jobs: int, alone: int = 0) -> list[list[Any]]:
    """About four chunks per process; the first `alone` items each in a chunk of its own."""
    rest = items[alone:]
    size = max(1, len(rest) // (jobs * 4))
    return [[item] for item in items[:alone]] + [rest[i:i + size] for i in range(0, len(rest), size)]


def _parse_chunk(chunk: list[tuple[str, bytes, str]]) -> list[bytes]:
    """Parsed notes without their tokens, and their bodies pickled (pickle_body; their tokens
    when the pages are not rendered, or when a section or block embed may cut them): the parent
    only stores them, and the render processes unpickle the ones they need. The whole chunk goes
    back as one pickle of the notes' fields (_fields_table)."""
    from dataclasses import replace

    from kbgen.build import _parse_one
    md, bodies, tokens = _shared["md"], _shared["bodies"], _shared["tokens"]
    out = []
    for p, d, k in chunk:
        note = _parse_one(md, p, d, k)
        body = pickle_body(md, note) if bodies and p not in tokens else pickle_tokens(note.tokens)
        out.append((replace(note, tokens=None), body))
    buf = io.BytesIO()
    pickler = pickle.Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _fields_table()
    pickler.dump(out)
    return [buf.getvalue()]


def pickle_body(md: Any, note: Any) -> bytes:
    """A note's body template (bodytemplate) pickled, or its tokens (pickle_tokens) when it has
    none: loaded back, a template is a tuple and tokens a list. A template is made and pickled
    in ~the time its tokens took to pickle, and a render process need not load the tokens."""
    from kbgen.bodytemplate import make
    template = make(md, note, note.tokens)
    if template is None:
        return pickle_tokens(note.tokens)
    if not template.extra:  # (strings and numbers)
        return pickle.dumps(template, protocol=pickle.HIGHEST_PROTOCOL)
    buf = io.BytesIO()
    pickler = pickle.Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _fields_table()  # its links past the note's as their fields
    pickler.dump(template)
    return buf.getvalue()


def _fields_table() -> dict[type, Callable[[Any], tuple[Any, ...]]]:
    """Reducers that pickle a parsed note and what it holds (links, headings, paragraphs,
    diagnostics) as their class and fields: slots dataclasses, pickled by default through
    Python-level __getstate__ and __setstate__ (1 000 notes' round trip: 95 ms, this way 55)."""
    from kbgen.diagnostics import Diagnostic
    from kbgen.model import Context, Heading, LinkRef, ParsedNote
    table: dict[type, Callable[[Any], tuple[Any, ...]]] = dict(copyreg.dispatch_table)
    for cls in (ParsedNote, LinkRef, Heading, Context, Diagnostic):
        fields = dataclasses.fields(cls)
        if len(fields) > 1 and all(f.init for f in fields):  # cls(*values) makes it again
            get = operator.attrgetter(*(f.name for f in fields))
            table[cls] = lambda obj, cls=cls, get=get: (cls, get(obj))
    return table


def parse_all(md: Any, todo: list[tuple[str, bytes, str]], jobs: int,
              advance: Callable[[int], None] = lambda n: None,
              seen: Callable[[list[Any]], None] | None = None, bodies: bool = False,
              tokens: set[str] | frozenset[str] = frozenset()) -> list[Any]:
    """Parsed notes with their tokens pickled; with `bodies`, their bodies (see pickle_body),
    but for the notes in `tokens`. `seen` is handed each chunk's notes as they come in, while
    the workers parse the next ones."""
    _shared["md"], _shared["bodies"], _shared["tokens"] = md, bodies, tokens
    notes: list[Any] = []

    def each(result: list[bytes]) -> None:
        chunk = pickle.loads(result[0])
        notes.extend(chunk)
        if seen is not None:
            seen([note for note, _ in chunk])
    _map(_parse_chunk, todo, jobs, advance, each=each)
    return notes


def _map(func: Callable[[list[Any]], list[Any]], items: list[Any], jobs: int,
         advance: Callable[[int], None], each: Callable[[list[Any]], None] | None = None,
         alone: int = 0, alongside: Callable[[], None] | None = None, helps: bool = False) -> list[Any]:
    """func over chunks of items in `jobs` processes, results in input order; with `each`,
    handed to it chunk by chunk as they come instead. The first `alone` items are long jobs,
    each given to a worker by itself, first. `alongside` runs in a thread of this process
    meanwhile, started once the workers are forked (a fork copies no thread, nor its locks).
    `helps`: this process is one of the `jobs` (see _Shared)."""
    out: list[Any] = []
    if each is None:
        each = out.extend
    # Frozen objects are left out of garbage collections: the workers neither spend time on
    # the site they inherit nor copy its memory pages by touching it (the gc module's advice).
    frozen = gc.get_freeze_count()  # serve keeps its state frozen (build.py): leave it so
    gc.freeze()
    try:
        helps = helps and jobs > 1
        workers = jobs - 1 if helps else jobs
        pool = _context().Pool(workers, initializer=_die_with_parent, initargs=(os.getpid(),))
        side = _Alongside(alongside) if alongside is not None else None
        try:
            chunks = _guided(items, jobs, alone) if helps else _chunks(items, jobs, alone)
            _Shared(func, pool, workers, chunks, alone, each, advance, takes=helps).run()
        except BaseException:
            _stop(pool)
            if side is not None:
                side.thread.join()  # not left writing while the failure is handled
            raise
        # The workers are done: they leave on their own. (Pool's own exit, terminate(), stops
        # idle workers with SIGTERM; under serve, whose SIGTERM handler they inherit, a worker
        # now and then stayed blocked, and the first build hung.)
        pool.close()
        pool.join()
        if side is not None:
            side.join()
    finally:
        if not frozen:
            gc.unfreeze()
    return out


def _guided(items: list[Any], jobs: int, alone: int = 0) -> list[list[Any]]:
    """Chunks that shrink as the work runs out (a quarter of what is left per process, at
    least GUIDED_MIN items), so the processes finish close together; the first `alone` items
    each in a chunk of its own."""
    out = [[item] for item in items[:alone]]
    at = alone
    while at < len(items):
        size = max(GUIDED_MIN, (len(items) - at) // (jobs * 4))
        out.append(items[at:at + size])
        at += size
    return out


class _Shared:
    """Hands the chunks to the workers (with `takes`, two a worker at a time; else all at once)
    and their results to `each` in input order, watching that the workers live (_Watch). With
    `takes`, this process takes the next chunk itself whenever each worker has one at work and
    one waiting: one worker fewer, and the render workers were each ~380 MB at 10 000 notes,
    mostly the site's memory pages a fork copies when it touches them, which this process has
    already."""

    def __init__(self, func: Callable[[list[Any]], list[Any]], pool: Any, workers: int,
                 chunks: list[list[Any]], alone: int, each: Callable[[list[Any]], None],
                 advance: Callable[[int], None], takes: bool) -> None:
        self.func, self.pool, self.workers, self.chunks, self.alone = func, pool, workers, chunks, alone
        self.each, self.advance, self.takes = each, advance, takes
        self.alive = _Watch(pool)
        self.sent: dict[int, Any] = {}  # chunk number → its pending result in the pool
        self.done: dict[int, list[Any]] = {}
        self.next = self.given = 0  # the next chunk to start, the next to hand to `each`

    def run(self) -> None:
        while self.given < len(self.chunks):
            self._top_up()
            self._gather()
            if self.takes and self.alone <= self.next < len(self.chunks):
                k = self.next
                self.next += 1
                self.done[k] = self.func(self.chunks[k])
            elif self.sent:
                self.sent[min(self.sent)].wait(POLL)
                self.alive.check()
            self._gather()

    def _top_up(self) -> None:
        # The long jobs first, all to workers. Then, when this process takes chunks too, at most
        # two a worker at a time; else all at once: the workers must not wait while `each` works
        # here (parsing: the first notes' `seen` imports and compiles for ~0.2 s).
        while self.next < len(self.chunks) and (self.next < self.alone or not self.takes
                                                or len(self.sent) < 2 * self.workers):
            self.sent[self.next] = self.pool.apply_async(self.func, (self.chunks[self.next],))
            self.next += 1

    def _gather(self) -> None:
        for k in [k for k, r in self.sent.items() if r.ready()]:
            self.done[k] = self.sent.pop(k).get()  # raises what the worker raised
        while self.given in self.done:
            self.each(self.done.pop(self.given))
            self.advance(len(self.chunks[self.given]))
            self.given += 1


def _stop(pool: Any) -> None:
    """pool.terminate(), without waiting on it for ever: after a worker was killed, terminate()
    can block on the task queue's lock, which a worker took and never gave back. It gets two
    seconds (it first tells the pool to start no new workers); the workers are killed in any case."""
    workers = list(pool._pool)
    stopping = threading.Thread(target=pool.terminate, name="kbgen-pool-stop", daemon=True)
    stopping.start()
    stopping.join(2.0)
    for process in workers + list(pool._pool):
        if process.exitcode is None:
            process.kill()


class WorkerDied(RuntimeError):
    """A worker process ended in the middle of the work: killed, or out of memory."""


class _Watch:
    """The pool's worker processes as it started them. multiprocessing.Pool replaces a worker that
    dies but not the task it held, whose result then never comes: a build waited forever after the
    kernel's out-of-memory killer took a worker. Workers end only when the pool closes, so one
    that has ended while results are awaited died."""

    def __init__(self, pool: Any) -> None:
        self.processes = list(pool._pool)  # the Process objects the pool made (CPython's attribute)

    def check(self) -> None:
        for process in self.processes:
            if process.exitcode is not None:
                raise WorkerDied(f"a worker process stopped in the middle of the build (exit code "
                                 f"{process.exitcode}: killed, or out of memory)")


class _Alongside:
    """A function run in a thread; join() waits for it and raises what it raised."""

    def __init__(self, func: Callable[[], None]) -> None:
        self.error: BaseException | None = None

        def run() -> None:
            try:
                func()
            except BaseException as exc:
                self.error = exc
        self.thread = threading.Thread(target=run, name="kbgen-alongside", daemon=True)
        self.thread.start()

    def join(self) -> None:
        self.thread.join()
        if self.error is not None:
            raise self.error


def _render_chunk(chunk: list[Any]) -> list[Any]:
    renderer = _shared["renderer"]
    return [result for group in chunk for result in renderer.render_group(group)]


def render_all(renderer: Any, todo: list[Any], jobs: int, advance: Callable[[int], None] = lambda n: None,
               each: Callable[[list[Any]], None] | None = None, alone: int = 0,
               alongside: Callable[[], None] | None = None) -> list[Any]:
    _shared["renderer"] = renderer
    return _map(_render_chunk, todo, jobs, advance, each, alone, alongside, helps=True)
