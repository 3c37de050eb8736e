"""Small column helpers shared by the models."""
import datetime as dt


def utcnow() -> dt.datetime:
    """Timezone-aware now, stored as UTC."""
    return dt.datetime.now(dt.UTC)
