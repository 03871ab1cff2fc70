"""Identity across revisions: which item (or block) of the new version is an old one renamed.

Items are known by path and blocks by a key made of their text, so a file moved or renamed with
small edits, or a goal reworded, would look like one thing removed and another added, and what
hires recorded against it would not follow. Here, what is left unmatched on each side is paired
by content similarity:

- a pair counts when its similarity reaches THRESHOLD and it is clearly the best for both sides
  (the runner-up trails by at least MARGIN); otherwise nothing is guessed: a close contest is
  reported as ambiguous, with its candidates.
- similarity is difflib's ratio over lines for whole files, over words for blocks; a cheap set
  overlap first skips pairs that cannot reach the threshold.

Pure functions, no database: the change summary of an import and the move of a hire to a newer
version both call `match_renamed` on what each side holds.
"""

import difflib
import re
from dataclasses import dataclass, field

THRESHOLD = 0.6
MARGIN = 0.05
_WORD = re.compile(r"\w+")  # punctuation and list markers say nothing about identity


@dataclass
class Matching:
    renamed: dict[str, str] = field(default_factory=dict)  # old key -> new key
    similarity: dict[str, float] = field(default_factory=dict)  # old key -> its pair's ratio
    ambiguous: list[dict] = field(default_factory=list)  # {"from": old, "candidates": [new...]}


def _lines(text: str) -> list[str]:
    return [" ".join(line.split()).casefold() for line in text.split("\n") if line.strip()]


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def match_renamed(
    before: dict[str, str],
    after: dict[str, str],
    *,
    by: str = "lines",
    group: dict[str, str] | None = None,
    threshold: float = THRESHOLD,
    margin: float = MARGIN,
) -> Matching:
    """Pair keys of BEFORE (old key -> text) with keys of AFTER that are the same thing renamed.

    Only keys missing from the other side take part. With GROUP (key -> kind), only keys of the
    same group pair up (a goal never becomes a resource).
    """
    old = [key for key in before if key not in after]
    new = [key for key in after if key not in before]
    if not old or not new:
        return Matching()
    split = _lines if by == "lines" else _words
    old_tokens = {key: split(before[key]) for key in old}
    new_tokens = {key: split(after[key]) for key in new}
    old_sets = {key: set(tokens) for key, tokens in old_tokens.items()}
    new_sets = {key: set(tokens) for key, tokens in new_tokens.items()}
    scores: dict[tuple[str, str], float] = {}
    for o in old:
        for n in new:
            if group is not None and group.get(o) != group.get(n):
                continue
            a, b = old_sets[o], new_sets[n]
            if not a or not b:
                continue
            # 2|A∩B|/(|A|+|B|) bounds the sequence ratio from above for distinct tokens; a loose
            # version of it is enough to skip pairs that share almost nothing.
            if 2 * len(a & b) / (len(a) + len(b)) < threshold * 0.8:
                continue
            ratio = difflib.SequenceMatcher(None, old_tokens[o], new_tokens[n], autojunk=False)
            score = ratio.ratio()
            if score >= threshold:
                scores[(o, n)] = score
    return _decide(scores, margin)


def _decide(scores: dict[tuple[str, str], float], margin: float) -> Matching:
    matching = Matching()
    by_old: dict[str, list[tuple[float, str]]] = {}
    by_new: dict[str, list[tuple[float, str]]] = {}
    for (o, n), score in scores.items():
        by_old.setdefault(o, []).append((score, n))
        by_new.setdefault(n, []).append((score, o))
    for ranked in (*by_old.values(), *by_new.values()):
        ranked.sort(key=lambda pair: (-pair[0], pair[1]))
    for o in sorted(by_old, key=lambda key: (-by_old[key][0][0], key)):
        ranked = by_old[o]
        best_score, best = ranked[0]
        rivals_old = by_new[best]
        clear_for_old = len(ranked) == 1 or best_score - ranked[1][0] >= margin
        clear_for_new = rivals_old[0][1] == o and (
            len(rivals_old) == 1 or best_score - rivals_old[1][0] >= margin
        )
        if clear_for_old and clear_for_new:
            matching.renamed[o] = best
            matching.similarity[o] = round(best_score, 3)
        else:
            # Either two new files are close copies of this one, or two old ones of that one.
            close = {n for score, n in ranked if best_score - score < margin}
            matching.ambiguous.append({"from": o, "candidates": sorted(close)})
    return matching
