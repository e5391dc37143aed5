"""Admin for the resource directory (HSDS tables), with import and export."""
