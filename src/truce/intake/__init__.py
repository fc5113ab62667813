"""Intake: every input becomes an immutable report; structured formats yield incidents directly.

Readers (pure, no store): READERS[fmt](bytes_or_path, path=..., mapping=..., progress=...) -> incidents.
ingest_file() stores a file's report and incidents in one transaction. See docs/intake.md."""

from truce.intake._common import IncidentList
from truce.intake.acled import ACLED_COLUMNS, read_acled
from truce.intake.csv_reader import read_csv
from truce.intake.geojson_reader import read_geojson
from truce.intake.ingest import IngestResult, Progress, ingest_file
from truce.intake.jsonl_reader import read_jsonl
from truce.intake.mapping import CSV_COLUMNS, Mapping, load_mapping, mapping_from_options
from truce.intake.registry import READERS, Reader, read_file, reader_for, register_reader

__all__ = [
    "ACLED_COLUMNS",
    "CSV_COLUMNS",
    "READERS",
    "IncidentList",
    "IngestResult",
    "Mapping",
    "Progress",
    "Reader",
    "ingest_file",
    "load_mapping",
    "mapping_from_options",
    "read_acled",
    "read_csv",
    "read_file",
    "read_geojson",
    "read_jsonl",
    "reader_for",
    "register_reader",
]
