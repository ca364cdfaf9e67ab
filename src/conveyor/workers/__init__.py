"""Background work that runs beside the API: periodic sweeps and (later) durable jobs."""
