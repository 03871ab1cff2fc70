"""Bold labels ("**Goals:**", ":warning: **Note:**") and the lists under them.

Mutation testing found that nothing checked what a label's own block says: its role (the
heading-like text block a page shows above the list) or that a note label is a note.
"""

from curriculum.markdown.parse import parse_item
from curriculum.markdown.structure import BlockKind

LABELLED = """# Day 03 - Labels

Some intro.

**Goals:**
- Meet the team.
- Set up.

:warning: **Note:** Bring a laptop.

**Action items:**
- Write notes.
"""


def test_a_label_is_a_block_with_its_role_and_the_list_below_takes_its_kind():
    item = parse_item(LABELLED, source="chapter_01/day_03.md")
    blocks = [(b.kind, b.title, b.data) for b in item.blocks]

    assert (BlockKind.TEXT, "Goals", {"role": "goals"}) in blocks
    assert (BlockKind.TEXT, "Action items", {"role": "action_items"}) in blocks
    goals = [b.title for b in item.blocks if b.kind == BlockKind.GOAL]
    assert goals == ["Meet the team.", "Set up."]
    assert [b.title for b in item.blocks if b.kind == BlockKind.ACTION_ITEM] == ["Write notes."]
    [note] = [b for b in item.blocks if b.kind == BlockKind.NOTE]
    assert "Bring a laptop." in note.title and note.data == {}
