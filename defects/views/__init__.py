"""The server-rendered pages. Each module stays small; urls.py imports from here."""

from .case import case_contact, case_detail, case_investigation, case_transition
from .intake import case_new
from .pages import case_list, home

__all__ = ["case_contact", "case_detail", "case_investigation", "case_list", "case_new", "case_transition", "home"]
