"""Template tags that put the mentor's desk into pages whose views belong to other areas.

`hire_item_desk` adds the review outcome, the FAQ and the Q&A box to the hire's item page;
`desk_home_panel` shows a mentor's top mentees on the home page. Both read through
`selectors.desk` with objects the page already scoped to the viewer.
"""

from django import template

from ..forms import QuestionAskForm
from ..selectors import desk as selectors
from ..selectors.journey import ItemPage

register = template.Library()

HOME_PANEL_ROWS = 5


@register.inclusion_tag("onboarding/desk/_hire_item.html", takes_context=True)
def hire_item_desk(context: template.Context, page: ItemPage) -> dict:
    """The item's FAQ, the hire's questions and the ask box. The mentor's review comments are
    not repeated here: the item page shows each beside the answer or reflection it is about
    (`selectors.journey.review_comments`)."""
    desk = selectors.hire_item_desk(enrollment=page.enrollment, item=page.item, submissions=[])
    askable = [view.block for view in page.blocks if view.block.kind in selectors.ASKABLE_KINDS]
    request = context.get("request")
    viewer = getattr(request, "user", None)
    return {
        "desk": desk,
        "page": page,
        "enrollment": page.enrollment,
        "item": page.item,
        "is_hire": viewer is not None and viewer.pk == page.enrollment.hire_id,
        "ask_form": QuestionAskForm(blocks=askable, auto_id="id_ask_%s"),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("onboarding/desk/_home_panel.html", takes_context=True)
def desk_home_panel(context: template.Context) -> dict:
    """The mentor's mentees who need them most, on the home page."""
    user = context["request"].user
    board = selectors.desk_dashboard(user=user)
    return {
        "board": board,
        "rows": board.rows[:HOME_PANEL_ROWS],
        "more": len(board.rows) > HOME_PANEL_ROWS,
    }
