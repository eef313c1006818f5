"""Deterministic generator of realistic Obsidian vaults: `python benchmarks/generate.py N OUTDIR [--seed 1]`."""
from __future__ import annotations

import argparse
import itertools
import math
import random
import shutil
import struct
import sys
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

# Ordered roughly by English frequency: prose draws words with Zipf weights over this order.
PROSE_WORDS = """
the of and to a in is that for it as with on was be by this are or from at an which not have has can
but more all their its will one they also these been other into than only most when each may such
between some both over where after how many two new first them through while very often under about
system model data process value structure network signal energy field theory method result function
state order pattern surface layer memory source image measure effect change form level point rate
region space time language logic matrix vector graph node edge weight cluster index stream buffer
kernel thread protocol schema query record entry archive ledger market policy agent garden river
forest mountain harbor bridge tower engine circuit crystal lattice particle wave spectrum orbit planet
comet cell protein gene enzyme tissue climate ocean soil mineral city village road trade history
culture author reader chapter argument evidence claim question answer problem solution design
interface module package library service request response latency throughput cache queue token
parser compiler runtime budget risk team meeting decision review draft outline summary detail example
describes builds measures suggests reveals connects transforms supports requires produces reflects maps
defines improves reduces extends captures explains compares combines follows replaces limits shapes
stores tracks splits merges predicts controls balances filters encodes returns remains becomes appears
stable complex simple dynamic hidden linear partial robust sparse dense early late formal local global
central minor major open closed useful careful rapid gradual direct indirect explicit implicit common
rare natural artificial physical digital social economic historical practical theoretical typical
broad narrow deep shallow strong weak small large quiet bright
""".split()

NAME_ADJECTIVES = """
Quantum Adaptive Ancient Binary Coastal Distributed Elastic Fractal Gentle Hidden Iterative Jovian
Kinetic Lunar Modular Nordic Optical Parallel Quiet Recursive Solar Thermal Urban Vital Woven Zonal
Abstract Bayesian Cellular Digital Emergent Formal Generative Harmonic Implicit Linear Marine Neural
Organic Polar Radial Semantic Tidal Uniform Volcanic Wild Arctic Boreal Civic Dorsal Eastern Feral
Granular Hybrid Inverse Lateral Medieval Nomadic Oblique Pastoral Rural Sparse Tonal Verbal Western
Crystal Golden Silent Rapid Hollow Minimal Open Secure Static Latent Native Classic Global Local
""".split()

NAME_NOUNS = """
Lattice Garden Protocol Kernel Archive Ledger River Forest Harbor Bridge Tower Engine Circuit Crystal
Particle Wave Spectrum Orbit Comet Cell Protein Gene Enzyme Climate Ocean Soil Mineral City Village
Market Policy Agent Parser Compiler Runtime Cache Queue Token Graph Matrix Vector Signal Field Memory
Pattern Surface Layer Network Stream Buffer Thread Schema Query Index Cluster Language Logic Grammar
Music Rhythm Melody Canvas Pigment Sculpture Theater Novel Poem Myth Empire Treaty Census Frontier
Glacier Desert Canyon Island Valley Meadow Estuary Reef Tundra Savanna Monsoon Eclipse Nebula Quasar
Atom Molecule Catalyst Reactor Turbine Battery Sensor Antenna Satellite Telescope Microscope Compass
""".split()

NAME_TAILS = """
Theory Method Notes Principles Patterns Design Analysis Framework Overview Basics Model Dynamics
Systems Ethics History Mechanics Experiments Reading Review Log Handbook Questions Map Timeline
""".split()

FOLDER_WORDS = """
Research Projects Areas Archive Reading Journal Engineering Science Design Meetings People Concepts
Topics Reference Library Courses Ideas Writing Physics Biology History Mathematics Computing Philosophy
Music Travel Health Finance Languages Systems Operations Products Clients Experiments Drafts Inbox
Resources Lectures Papers Books Podcasts Recipes Tools Seminars Interviews Fieldwork Prototypes
""".split()

COMMON_HEADINGS = """Overview|Background|Key Ideas|Open Questions|References|See Also|Examples|Summary|
Related Work|Details|Motivation|Definitions|Results|Next Steps|Criticism|Applications""".replace("\n", "").split("|")

TAGS = """
physics biology history math computing philosophy music travel health finance design writing reading
project/active project/done project/idea status/draft status/review status/final area/research
area/teaching area/personal type/concept type/person type/book type/paper type/meeting lang/python
lang/rust lang/go topic/graphs topic/networks topic/climate topic/oceans topic/cities todo evergreen
seedling literature permanent fleeting
""".split()

CALLOUTS = ["note", "tip", "info", "warning", "important", "example", "question", "quote"]
MATH = ["$x^2$", "$x^2 + y^2 = z^2$", "$e^{i\\pi} + 1 = 0$", "$\\sum_{i=1}^{n} a_i$", "$O(n \\log n)$",
        "$\\alpha + \\beta$", "$f(x) = ax + b$", "$\\lambda_{max}$"]
GLUE_SUFFIXES = ["s", "s", "s", "'s", "es", "-like"]
CODE_LANGS = ["python", "javascript", "bash", "rust", "go", "json", "yaml", "sql", "typescript"]
CODE_TEMPLATES: dict[str, list[str]] = {
    "python": ["def {a}_{b}({c}, {d}):", "    {a} = {c} + {n}", "    return [{b} for {b} in {d}]",
               "import {a}", "{a}_{b} = {{'{c}': {n}, '{d}': {m}}}", "print({a}.{b}({c}))"],
    "javascript": ["function {a}{B}({c}) {{", "  const {b} = {c}.map(x => x * {n});", "  return {b};",
                   "}}", "export const {a} = {{ {c}: {n} }};", "console.log({a}.{b});"],
    "typescript": ["interface {A}{B} {{", "  {c}: number;", "  {d}?: string;", "}}",
                   "const {a}: {A}{B} = {{ {c}: {n} }};", "type {A} = {B} | null;"],
    "bash": ["cd ~/{a}/{b}", "for f in *.{c}; do echo \"$f\"; done", "export {A}_{B}={n}",
             "grep -r {a} . | wc -l", "mkdir -p {a}/{b} && cp {c}.txt {a}/"],
    "rust": ["fn {a}_{b}({c}: u32) -> u32 {{", "    let {d} = {c} * {n};", "    {d} + {m}", "}}",
             "struct {A}{B} {{ {c}: Vec<u8> }}", "use std::{a}::{B};"],
    "go": ["func {A}{B}({c} int) int {{", "\t{d} := {c} * {n}", "\treturn {d}", "}}",
           "type {A} struct {{ {B} string }}", "import \"{a}/{b}\""],
    "json": ["{{", "  \"{a}\": {n},", "  \"{b}\": \"{c}\",", "  \"{d}\": [{n}, {m}]", "}}"],
    "yaml": ["{a}:", "  {b}: {n}", "  {c}: {d}", "  - {a}", "{d}: {m}"],
    "sql": ["SELECT {a}, {b} FROM {c} WHERE {d} > {n};", "CREATE TABLE {a} ({b} INT, {c} TEXT);",
            "UPDATE {c} SET {a} = {n} WHERE {b} = {m};", "SELECT count(*) FROM {d} GROUP BY {a};"],
}
IMAGE_COUNT = 8
ZIPF_OFFSET = 10  # Zipf–Mandelbrot q: the top note gets ~1–2% of all links, not 10%.

_WORD_CUM = list(itertools.accumulate(1.0 / (r + 5) for r in range(len(PROSE_WORDS))))
_CODE_WORDS = [w for w in PROSE_WORDS if len(w) > 3]
_B36 = "abcdefghijklmnopqrstuvwxyz0123456789"


@dataclass(slots=True)
class Note:
    """What other notes must know before this note's body exists: name, place, headings, block ids."""

    idx: int
    name: str
    folder: tuple[str, ...]
    headings: list[tuple[int, str]]
    block_ids: list[str]
    aliases: list[str]
    front_matter: bool
    words: int
    links: list[str] = field(default_factory=list)

    @property
    def relpath(self) -> str:
        return "/".join(("notes", *self.folder, self.name + ".md"))


@dataclass(slots=True)
class Vault:
    notes: list[Note]
    pop_cum: list[float]  # cumulative Zipf weights over `pop_order`
    pop_order: list[int]  # note indices, most popular first
    concepts: list[str]  # unresolved link targets
    concept_cum: list[float]
    block_notes: list[int]  # notes that have block ids


# ---------------------------------------------------------------------------- planning


def unique_name(rng: random.Random, taken: set[str]) -> str:
    """A title-cased multi-word note name, unique case-insensitively (Obsidian resolves that way)."""
    while True:
        shape = rng.random()
        if shape < 0.35:
            words = [rng.choice(NAME_ADJECTIVES), rng.choice(NAME_NOUNS)]
        elif shape < 0.7:
            words = [rng.choice(NAME_ADJECTIVES), rng.choice(NAME_NOUNS), rng.choice(NAME_TAILS)]
        elif shape < 0.85:
            words = [rng.choice(NAME_NOUNS), rng.choice(NAME_NOUNS), rng.choice(NAME_TAILS)]
        else:
            words = [rng.choice(NAME_ADJECTIVES), rng.choice(NAME_ADJECTIVES), rng.choice(NAME_NOUNS)]
        if len(set(words)) < len(words):
            continue
        name = " ".join(words)
        if name.lower() not in taken:
            taken.add(name.lower())
            return name


def folder_name(rng: random.Random, siblings: set[str]) -> str:
    """One folder word, or two once the single words among these siblings run out."""
    for _ in range(20):
        name = rng.choice(FOLDER_WORDS)
        if name not in siblings:
            break
    while name in siblings:
        name = f"{rng.choice(FOLDER_WORDS)} {rng.choice(FOLDER_WORDS)}"
    siblings.add(name)
    return name


def leaf_folders(rng: random.Random) -> Iterator[tuple[str, ...]]:
    """Endless leaf folders 2–3 levels deep: top/mid or top/mid/leaf."""
    tops: set[str] = set()
    while True:
        top = folder_name(rng, tops)
        mids: set[str] = set()
        for _ in range(rng.randint(3, 8)):
            mid = folder_name(rng, mids)
            if rng.random() < 0.5:
                yield (top, mid)
                continue
            leaves: set[str] = set()
            for _ in range(rng.randint(2, 5)):
                yield (top, mid, folder_name(rng, leaves))


def plan_headings(rng: random.Random) -> list[tuple[int, str]]:
    """3–9 headings, unique within the note so `[[Note#Heading]]` is unambiguous."""
    seen: set[str] = set()
    out: list[tuple[int, str]] = []
    for i in range(rng.randint(3, 9)):
        while True:
            if rng.random() < 0.3:
                text = rng.choice(COMMON_HEADINGS)
            else:
                k = rng.randint(1, 3)
                text = " ".join(w.capitalize() for w in rng.sample(PROSE_WORDS[60:], k))
            if text.lower() not in seen:
                seen.add(text.lower())
                break
        out.append((2 if i == 0 or rng.random() < 0.6 else 3, text))
    return out


def plan_aliases(rng: random.Random, name: str) -> list[str]:
    words = name.split()
    options = [name.lower(), " ".join(words[:2]) + "s"]
    if len(words) > 2:  # two-letter acronyms like NO or ON would read as YAML booleans
        options.append("".join(w[0] for w in words).upper())
    return rng.sample(options, rng.randint(1, 2))


def word_budget(rng: random.Random) -> int:
    """Prose words: lognormal, median 475, clipped; lists, code, tables and links bring the mean to ≈ 680."""
    return max(180, min(1150, int(rng.lognormvariate(math.log(475), 0.45))))


def plan_vault(rng: random.Random, n: int) -> Vault:
    names: set[str] = set()
    folders = leaf_folders(rng)
    notes: list[Note] = []
    while len(notes) < n:
        folder = next(folders)
        for _ in range(min(rng.randint(10, 40), n - len(notes))):
            name = unique_name(rng, names)
            fm = rng.random() < 0.6
            notes.append(Note(
                idx=len(notes), name=name, folder=folder, headings=plan_headings(rng),
                block_ids=["".join(rng.choices(_B36, k=6)) for _ in range(rng.randint(1, 3))]
                if rng.random() < 0.25 else [],
                aliases=plan_aliases(rng, name) if fm and rng.random() < 1 / 3 else [],
                front_matter=fm, words=word_budget(rng)))
    order = list(range(n))
    rng.shuffle(order)
    pop_cum = list(itertools.accumulate(1.0 / (r + ZIPF_OFFSET) for r in range(n)))
    concepts: list[str] = []
    for _ in range(max(10, n // 20)):
        concepts.append(unique_name(rng, names).lower() if rng.random() < 0.5 else unique_name(rng, names))
    concept_cum = list(itertools.accumulate(1.0 / (r + 2) for r in range(len(concepts))))
    return Vault(notes, pop_cum, order, concepts, concept_cum, [x.idx for x in notes if x.block_ids])


# ---------------------------------------------------------------------------- links


def pick_note(rng: random.Random, vault: Vault, not_idx: int) -> Note:
    """A note other than `not_idx`, by Zipf popularity."""
    while True:
        idx = vault.pop_order[rng.choices(range(len(vault.pop_order)), cum_weights=vault.pop_cum)[0]]
        if idx != not_idx:
            return vault.notes[idx]


def display_text(rng: random.Random, target: Note) -> str:
    if target.aliases and rng.random() < 0.5:
        return rng.choice(target.aliases)
    return " ".join(rng.choices(PROSE_WORDS[60:], k=rng.randint(1, 3)))


def make_link(rng: random.Random, vault: Vault, src: Note) -> str:
    """One link token; kinds in the proportions the brief asks for."""
    r = rng.random()
    if r < 0.05:
        return "[[" + rng.choices(vault.concepts, cum_weights=vault.concept_cum)[0] + "]]"
    if r < 0.08:
        target = pick_note(rng, vault, src.idx)
        href = quote(target.relpath if rng.random() < 0.5 else target.name + ".md")
        if rng.random() < 0.2:
            href += "#" + quote(rng.choice(target.headings)[1])
        return f"[{display_text(rng, target)}]({href})"
    if r < 0.12 and vault.block_notes:
        target = pick_note(rng, vault, src.idx)
        if not target.block_ids:  # keep Zipf popularity where possible, else any note with blocks
            target = vault.notes[rng.choice(vault.block_notes)]
        if target.idx != src.idx:
            return f"[[{target.name}#^{rng.choice(target.block_ids)}]]"
    target = pick_note(rng, vault, src.idx)
    if r < 0.24:
        heading = rng.choice(target.headings)[1]
        if rng.random() < 0.3:
            return f"[[{target.name}#{heading}|{display_text(rng, target)}]]"
        return f"[[{target.name}#{heading}]]"
    if r < 0.39:
        return f"[[{target.name}|{display_text(rng, target)}]]"
    if r < 0.47:
        return f"[[{target.name}]]{rng.choice(GLUE_SUFFIXES)}"
    return f"[[{target.name}]]"


def transclusion(rng: random.Random, vault: Vault, src: Note) -> str:
    """`![[Note]]` or `![[Note#Heading]]` of an earlier note, so embeds never form a cycle."""
    target = pick_note(rng, vault, src.idx)
    for _ in range(10):
        if target.idx < src.idx:
            break
        target = pick_note(rng, vault, src.idx)
    else:
        target = vault.notes[rng.randrange(src.idx)]
    if rng.random() < 0.6:
        return f"![[{target.name}#{rng.choice(target.headings)[1]}]]"
    return f"![[{target.name}]]"


# ---------------------------------------------------------------------------- prose


def sentence(rng: random.Random, k: int) -> list[str]:
    words = rng.choices(PROSE_WORDS, cum_weights=_WORD_CUM, k=k)
    words[0] = words[0].capitalize()
    if k > 8 and rng.random() < 0.3:
        j = rng.randrange(2, k - 3)
        words[j] += ","
    words[-1] += "?" if rng.random() < 0.05 else "."
    return words


def prose(rng: random.Random, n_words: int) -> list[str]:
    """Tokens of a few sentences totalling about n_words."""
    out: list[str] = []
    while len(out) < n_words:
        out += sentence(rng, rng.randint(6, 22))
    return out


def code_block(rng: random.Random) -> str:
    lang = rng.choice(CODE_LANGS)
    lines = []
    for _ in range(rng.randint(4, 12)):
        a, b, c, d = rng.sample(_CODE_WORDS, 4)
        lines.append(rng.choice(CODE_TEMPLATES[lang]).format(
            a=a, b=b, c=c, d=d, A=a.capitalize(), B=b.capitalize(), n=rng.randint(0, 999), m=rng.randint(0, 99)))
    return f"```{lang}\n" + "\n".join(lines) + "\n```"


def table(rng: random.Random) -> str:
    cols = rng.randint(3, 5)
    head = [w.capitalize() for w in rng.sample(PROSE_WORDS[60:], cols)]
    rows = ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] * cols) + "|"]
    for _ in range(rng.randint(3, 8)):
        cells = [str(rng.randint(0, 9999)) if rng.random() < 0.4 else " ".join(rng.sample(PROSE_WORDS, 2))
                 for _ in range(cols)]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def inline_tag(rng: random.Random) -> str:
    return "#" + rng.choice(TAGS)


# ---------------------------------------------------------------------------- one note


class Unit:
    """A run of prose (paragraph, list item, callout body) that links, tags and highlights go into."""

    __slots__ = ("tokens", "block_id")

    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.block_id = ""

    def text(self) -> str:
        return " ".join(self.tokens) + (f" ^{self.block_id}" if self.block_id else "")


def front_matter(rng: random.Random, note: Note) -> str:
    lines = ["---"]
    if rng.random() < 0.35:
        lines.append(f"title: {note.name}" + (" (Overview)" if rng.random() < 0.3 else ""))
    if note.aliases:
        lines += ["aliases:"] + [f"  - {a}" for a in note.aliases]
    if rng.random() < 0.85:
        lines += ["tags:"] + [f"  - {t}" for t in sorted(set(rng.sample(TAGS, rng.randint(1, 4))))]
    if rng.random() < 0.8:
        lines.append(f"date: 2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}")
    return "\n".join(lines + ["---"])


def section_blocks(rng: random.Random, budget: int, units: list[Unit]) -> list[object]:
    """Paragraphs and lists totalling about `budget` words; always starts with a paragraph."""
    blocks: list[object] = []
    used = 0
    while used < budget or not blocks:
        r = rng.random() if blocks else 0.0
        if r < 0.75:
            unit = Unit(prose(rng, min(budget - used, rng.randint(30, 110)) if budget > used else 20))
            units.append(unit)
            blocks.append(unit)
            used += len(unit.tokens)
            continue
        marker = "-" if r < 0.9 else "1."
        items: list[tuple[str, Unit]] = []
        for i in range(rng.randint(3, 7)):
            unit = Unit(prose(rng, rng.randint(4, 14))[: rng.randint(4, 14)])
            units.append(unit)
            nested = marker == "-" and i > 0 and rng.random() < 0.15
            items.append(("  -" if nested else (f"{i + 1}." if marker == "1." else "-"), unit))
            used += len(unit.tokens)
        blocks.append(items)
    return blocks


def render_block(block: object) -> str:
    if isinstance(block, Unit):
        return block.text()
    if isinstance(block, list):  # list items: (marker, unit)
        return "\n".join(f"{m} {u.text()}" for m, u in block)
    if isinstance(block, tuple):  # callout: header line, then the quoted body
        return f"{block[0]}\n> {block[1].text()}"
    return str(block)


def sprinkle(rng: random.Random, units: list[Unit], tokens: list[str]) -> None:
    """Insert tokens (links, tags, math) at random word positions of random prose units."""
    for tok in tokens:
        unit = rng.choice(units)
        unit.tokens.insert(rng.randint(1, len(unit.tokens)), tok)


def highlight(rng: random.Random, units: list[Unit]) -> None:
    unit = rng.choice(units)
    if len(unit.tokens) < 6:
        return
    j = rng.randrange(1, len(unit.tokens) - 4)
    unit.tokens[j] = "==" + unit.tokens[j]
    unit.tokens[j + 2] += "=="


def render_note(rng: random.Random, vault: Vault, note: Note) -> str:
    units: list[Unit] = []
    shares = [rng.random() + 0.5 for _ in range(len(note.headings) + 1)]
    total = sum(shares)
    sections = [section_blocks(rng, int(note.words * s / total), units) for s in shares]
    # Block ids go on each section's first paragraph, which section_blocks guarantees.
    for section, bid in zip(sections, note.block_ids):
        section[0].block_id = bid  # type: ignore[union-attr]

    extras: list[str] = []
    if rng.random() < 0.4:
        extras.append(code_block(rng))
    if rng.random() < 0.3:
        extras.append(table(rng))
    if rng.random() < 0.3:
        kind = rng.choice(CALLOUTS)
        title = " " + " ".join(w.capitalize() for w in rng.sample(PROSE_WORDS[60:], 2)) if rng.random() < 0.6 else ""
        body = Unit(prose(rng, rng.randint(15, 50)))
        units.append(body)
        extras.append((f"> [!{kind}]{title}", body))  # type: ignore[arg-type]
    if rng.random() < 0.15:
        extras += [f"![[image-{rng.randint(1, IMAGE_COUNT)}.png]]" for _ in range(rng.randint(1, 2))]
    if note.idx > 0 and rng.random() < 0.05:
        extras.append(transclusion(rng, vault, note))
    for extra in extras:
        section = rng.choice(sections)
        section.insert(rng.randint(1, len(section)), extra)

    n_links = max(5, min(20, note.words // 60 + rng.randint(-3, 4)))
    note.links = [make_link(rng, vault, note) for _ in range(n_links)]
    sprinkle(rng, units, note.links)
    if rng.random() < 0.25:
        sprinkle(rng, units, [inline_tag(rng) for _ in range(rng.randint(1, 3))])
    if rng.random() < 0.1:
        sprinkle(rng, units, [rng.choice(MATH)])
    if rng.random() < 0.2:
        sprinkle(rng, units, [f"`{rng.choice(_CODE_WORDS)}_{rng.choice(_CODE_WORDS)}()`"])
    for _ in range(rng.randint(1, 2) if rng.random() < 0.3 else 0):
        highlight(rng, units)

    parts: list[str] = [front_matter(rng, note)] if note.front_matter else []
    parts += [render_block(b) for b in sections[0]]
    for (level, text), section in zip(note.headings, sections[1:]):
        parts.append("#" * level + " " + text)
        parts += [render_block(b) for b in section]
    return "\n\n".join(parts) + "\n"


# ---------------------------------------------------------------------------- files


def png(width: int, height: int, seed: int) -> bytes:
    """A tiny valid RGB PNG with a gradient; deterministic since zlib output is fixed for a level."""
    raw = bytearray()
    for y in range(height):
        raw.append(0)  # filter type None
        for x in range(width):
            raw += bytes(((x * 255 // width + seed * 40) % 256, (y * 255 // height) % 256, (seed * 97) % 256))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(bytes(raw), 9)) + chunk(b"IEND", b"")


def generate(n: int, outdir: Path, seed: int = 1) -> Vault:
    """Write the vault; the same (n, seed) always gives byte-identical files."""
    rng = random.Random(seed)
    vault = plan_vault(rng, n)
    outdir.mkdir(parents=True, exist_ok=True)
    (outdir / "kbgen.toml").write_text(f'title = "Generated vault {n}"\n', encoding="utf-8")
    att = outdir / "attachments"
    att.mkdir(exist_ok=True)
    for i in range(1, IMAGE_COUNT + 1):
        (att / f"image-{i}.png").write_bytes(png(8 + 4 * i, 8 + 3 * i, i))
    made: set[Path] = set()
    for note in vault.notes:
        path = outdir / note.relpath
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(render_note(rng, vault, note))
    return vault


def is_generated(path: Path) -> bool:
    toml = path / "kbgen.toml"
    return toml.is_file() and toml.read_text(encoding="utf-8").startswith('title = "Generated vault ')


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("n", type=int, help="number of notes")
    ap.add_argument("outdir", type=Path)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    if args.outdir.exists() and any(args.outdir.iterdir()):
        if not is_generated(args.outdir):
            sys.exit(f"{args.outdir} is not empty and not a generated vault; refusing to overwrite it")
        shutil.rmtree(args.outdir)  # stale notes from another N or seed would break byte-identity
    t0 = time.perf_counter()
    generate(args.n, args.outdir, args.seed)
    print(f"generated {args.n} notes in {args.outdir} in {time.perf_counter() - t0:.2f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
