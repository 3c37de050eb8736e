# Copy to instance/config.py (git-ignored) and fill in. `make demo` writes one with a random SECRET_KEY.
# Every setting can also come from the environment as MUNI_ASSESS_<NAME>, e.g. MUNI_ASSESS_STATE=MA.

SECRET_KEY = "replace with the output of: python -c 'import secrets; print(secrets.token_hex(32))'"
STATE = "CT"                 # CT (Connecticut, default) or MA (Massachusetts)
# CURRENT_CYCLE = 2026       # the assessment year new assessments belong to (default: this year)
# DATABASE_URL is read from the environment: postgresql://user@host/dbname for multi-user deployments;
# without it the app uses the SQLite file instance/muni_assess.sqlite3.
