"""Where Forecast Lab reaches into another library's private parts: one small module per
library, each with a test (tests/test_adapters.py) that fails when the library changes under it."""
