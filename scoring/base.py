"""The strict base every content model shares: frozen, and unknown keys are errors (typos never pass)."""
from pydantic import BaseModel, ConfigDict


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)
