"""Running the pipeline in processes: workers with a time limit (the service) and catalogues shared over every core."""
