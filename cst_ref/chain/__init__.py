"""Titanoboa side of the book: compile the Vyper contracts in ``contracts/``, deploy
them on the local EVM (``cst_ref.chain.deploy``) and measure gas (``cst_ref.chain.gas``)."""
