"""The notebook layer: the %%flyte magic, the run widget and its static snapshot.

Nothing here is imported by ``import flyte_nb``; IPython and anywidget load on first use.
"""
