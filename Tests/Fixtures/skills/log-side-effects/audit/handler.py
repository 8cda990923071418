import logging

logger = logging.getLogger(__name__)
TRAIL = []


def remember(event):
    TRAIL.append(event["id"])
    return len(TRAIL)


def handle(event):
    logger.debug("event %s is number %d", event["id"], remember(event))
    return event["amount"] * 2
