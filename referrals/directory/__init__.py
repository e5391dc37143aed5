"""The resource directory: HSDS import/export, search, and the directory API."""
