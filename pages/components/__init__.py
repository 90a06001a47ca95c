"""Widget forms, the job panel and cached loaders shared by the pages."""
