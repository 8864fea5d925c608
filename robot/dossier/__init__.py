"""Dossier status lookup: what a scanned code names, where its status comes from, what to say.

- extract.py: untrusted scanned text -> a dossier code, an OpenCPS key, a letan ticket, or unreadable
- status.py: the national portal's status vocabulary and the Vietnamese sentences
- privacy.py: name masking
- providers.py: the provider interface and record parsing; store.py (SQLite + CSV import);
  http_provider.py (HTTP JSON service, retries, circuit breaker); limits.py (rate limit)
- desk.py: `DossierDesk`, the dialogs.ports.DossierDesk the dialog manager calls
"""
