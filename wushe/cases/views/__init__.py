"""Case-work pages, one module per area; every page showing a case's narrative writes the read log."""
