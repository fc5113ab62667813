"""Request and response models, one module per resource, one model per role where they differ."""

from truce.api.schemas.cases import CaseIn, CaseMonitor, CaseParty, CasePublic, Transition
from truce.api.schemas.common import Page, Strict
from truce.api.schemas.incidents import IncidentIn, IncidentMonitor, IncidentParty, IncidentPublic
from truce.api.schemas.reports import ReportIn, ReportMonitor, ReportParty, ReportReceipt, TextReportIn

__all__ = [
    "CaseIn",
    "CaseMonitor",
    "CaseParty",
    "CasePublic",
    "IncidentIn",
    "IncidentMonitor",
    "IncidentParty",
    "IncidentPublic",
    "Page",
    "ReportIn",
    "ReportMonitor",
    "ReportParty",
    "ReportReceipt",
    "Strict",
    "TextReportIn",
    "Transition",
]
