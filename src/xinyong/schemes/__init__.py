"""Scheme files: the model, the library, the typed plan, the SQL compiler, the reference evaluator
(the oracle) and the plain-language rendering. Nothing here touches a database."""
