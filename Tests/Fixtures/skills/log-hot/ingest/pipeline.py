"""Normalises incoming records before they are stored."""
import logging

logger = logging.getLogger(__name__)


def normalise(record):
    fields = {key.strip().lower(): str(value).strip() for key, value in record.items()}
    logger.debug(f"normalised {len(fields)} fields: {fields!r} from {record!r}")
    return fields


def ingest(records):
    return [normalise(record) for record in records]
