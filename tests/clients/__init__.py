"""Programs written as everyday PyTorch code, run under both libraries by
``tests/parity/test_clients.py`` with only their imports changed."""
