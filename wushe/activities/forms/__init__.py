"""Forms only parse input; the services validate and write. One module per area."""
