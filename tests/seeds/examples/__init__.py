"""The code examples of the seed documents (/work/shared/seeds/), as modules.

Each module holds one document's code as written there, with ``import flyte`` changed to
``import flyte_nb as flyte``. Where a document leaves a name implicit (an import, a helper
task, a fake service), the module adds the least that makes the example run, in a block
marked ``# --- not in the document``. Nothing else is changed, so these modules are not
held to the project's lint rules beyond what the documents themselves follow.
"""
