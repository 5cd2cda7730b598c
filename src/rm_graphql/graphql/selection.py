"""Look-ahead at the selection set, so list resolvers load whole subtrees set-wise."""

from __future__ import annotations

from dataclasses import dataclass, field

from strawberry.types import Info
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection


@dataclass
class Tree:
    """Field names selected below a field, fragments merged."""

    children: dict[str, Tree] = field(default_factory=dict)

    def get(self, *path: str) -> Tree | None:
        node: Tree | None = self
        for name in path:
            node = node.children.get(name) if node else None
        return node

    def has(self, *path: str) -> bool:
        return self.get(*path) is not None


def _merge(tree: Tree, selections: list[Selection]) -> None:
    for selection in selections:
        if isinstance(selection, SelectedField):
            child = tree.children.setdefault(selection.name, Tree())
            _merge(child, selection.selections)
        elif isinstance(selection, FragmentSpread | InlineFragment):
            _merge(tree, selection.selections)


def selected(info: Info) -> Tree:
    """The tree of fields selected under the field being resolved."""
    tree = Tree()
    for field_node in info.selected_fields:
        _merge(tree, field_node.selections)
    return tree


def node_tree(info: Info) -> Tree:
    """Fields selected on the nodes of a connection (through `edges.node` or `nodes`)."""
    tree = selected(info)
    merged = Tree()
    for part in (tree.get("edges", "node"), tree.get("nodes")):
        if part is not None:
            _merge_trees(merged, part)
    return merged


def _merge_trees(target: Tree, source: Tree) -> None:
    for name, child in source.children.items():
        _merge_trees(target.children.setdefault(name, Tree()), child)
