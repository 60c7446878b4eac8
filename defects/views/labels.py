"""Words the pages show for the state machine's names (the names themselves stay English ids)."""

from django.utils.translation import gettext_lazy as _

from ..models import State

# What the button says: the action, in the operator's words.
TRANSITION_LABELS = {
    "request_return": _("Ask for the product back (cash on delivery)"),
    "receive_sample": _("Record the sample's arrival"),
    "start_investigation": _("Start the investigation"),
    "investigate_without_sample": _("Investigate without a sample"),
    "submit_report": _("Submit the report for review"),
    "reject_report": _("Send the report back to the factory"),
    "approve_report": _("Approve the report"),
    "ship_replacement": _("Ship the replacement"),
    "close": _("Close the case"),
    "withdraw": _("Withdraw the case"),
    "close_without_delivery": _("Close without delivery"),
    "reopen": _("Reopen the case"),
    "adopt_report": _("Answer with the approved report of another case"),
}

# What the timeline says once it happened.
TRANSITION_DONE = {
    "request_return": _("Return requested"),
    "receive_sample": _("Sample received"),
    "start_investigation": _("Investigation started"),
    "investigate_without_sample": _("Investigation started without a sample"),
    "submit_report": _("Report submitted"),
    "reject_report": _("Report sent back"),
    "approve_report": _("Report approved"),
    "ship_replacement": _("Replacement shipped"),
    "close": _("Case closed"),
    "withdraw": _("Case withdrawn"),
    "close_without_delivery": _("Closed without delivery"),
    "reopen": _("Case reopened"),
    "adopt_report": _("Report of another case adopted"),
}

# One line under each button so that nobody has to guess what it sets in motion.
TRANSITION_HELP = {
    "request_return": _("Queues the first-notice postcard and the return kit (the company pays the postage)."),
    "receive_sample": _("The returned product has arrived; note its condition."),
    "start_investigation": _("The factory begins the root-cause investigation on the sample."),
    "investigate_without_sample": _("No product will come back; say why, so the factory knows."),
    "submit_report": _("Sends the factory's report to the QA manager. Process, cause and prevention must be filled in."),
    "reject_report": _("The factory revises the report; say what is missing."),
    "approve_report": _("The factory's letter can be printed and the replacement shipped."),
    "ship_replacement": _("The replacement and the factory's letter leave today."),
    "close": _("Nothing more is owed to the consumer."),
    "withdraw": _("Stops the case for good; the reason and your name are recorded."),
    "close_without_delivery": _("The parcel came back or the consumer declined it; say why."),
    "reopen": _("The consumer called again; the case starts over from received, with its history."),
    "adopt_report": _("One investigation answers the whole lot: give the reference of an approved case of the "
                      "same product. This consumer gets their own letter and replacement; why and who is recorded."),
}

# Buttons that undo or end work get a warning colour.
CAUTION_TRANSITIONS = frozenset({"reject_report", "withdraw", "close_without_delivery"})

STATE_CLASSES = {
    State.RECEIVED: "st-new",
    State.AWAITING_RETURN: "st-wait",
    State.SAMPLE_RECEIVED: "st-factory",
    State.INVESTIGATING: "st-factory",
    State.REPORT_REVIEW: "st-review",
    State.APPROVED: "st-review",
    State.REPLACEMENT_SHIPPED: "st-ship",
    State.CLOSED: "st-done",
    State.WITHDRAWN: "st-done",
}


def in_flow_order(names):
    """Transition names in the order of the journey (the FSM gives them in no useful order)."""
    order = list(TRANSITION_LABELS)
    return sorted(names, key=lambda name: order.index(name) if name in order else len(order))


def state_label(value) -> str:
    try:
        return State(value).label
    except ValueError:
        return str(value or "")


# What happened to a letter, told in the reader's language whatever language the note was written in.
LETTER_ACTIONS = {
    "printed": _("printed"),
    "mailed": _("mailed"),
    "reprint": _("sent for reprint with its batch"),
    "requeued": _("to be checked and printed again"),
    "held": _("held by the letter check"),
    "flagged_for_reprint": _("flagged for reprint"),
}
# For these the line above says it all; the stored note would only repeat it in its writer's language.
LETTER_ACTIONS_WITHOUT_NOTE = frozenset({"printed", "mailed", "reprint"})


# Whose move it is (selectors.waiting_on), as the case header and the queues say it.
WAITING_ON_LABELS = {
    "hotline": _("Hotline"),
    "consumer": _("The consumer"),
    "factory": _("The factory"),
    "qa_manager": _("QA manager"),
    "mailroom": _("Print and mail room"),
    "nobody": _("Nobody (finished)"),
}
