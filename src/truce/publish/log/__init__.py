"""The tamper-evident log: RFC 9162 Merkle tree of canonical-JSON entries, C2SP signed checkpoints,
witness cosignatures, and a SQL store that can audit itself and export verifiable bundles."""

from truce.publish.log.bundle import BundleReport, verify_bundle
from truce.publish.log.entries import make_entry
from truce.publish.log.keys import generate_key, load_key, rotation_entry
from truce.publish.log.note import Signer, Verifier, Witness, open_checkpoint
from truce.publish.log.store import LogError, LogForkError, LogStore, StoreProblem
from truce.publish.log.tables import metadata

__all__ = [
    "BundleReport",
    "LogError",
    "LogForkError",
    "LogStore",
    "Signer",
    "StoreProblem",
    "Verifier",
    "Witness",
    "generate_key",
    "load_key",
    "make_entry",
    "metadata",
    "open_checkpoint",
    "rotation_entry",
    "verify_bundle",
]
