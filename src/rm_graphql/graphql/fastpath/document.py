"""A query document checked like Strawberry checks it, with its fields collected per type.

Parsing and validation use the schema's own rules and limits (depth, aliases, tokens), so a
document is only compiled when normal execution would accept it too.
"""

from __future__ import annotations

from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
    get_operation_ast,
    parse,
    specified_rules,
)
from graphql.language import DirectiveNode, Visitor, visit
from strawberry.extensions import AddValidationRules, MaxTokensLimiter
from strawberry.schema import Schema
from strawberry.schema.schema import validate_document


class NotCovered(Exception):
    """The fast path does not cover this operation (or these arguments): execute normally."""


@dataclass(frozen=True)
class Selected:
    """One response key of an object: the field, its argument site and its sub-selection."""

    key: str
    name: str
    node: FieldNode
    definition: GraphQLField
    type_name: str  # the named type the field returns
    children: tuple[Selected, ...]
    site: int | None  # index into Operation.sites when the field takes arguments


@dataclass(frozen=True)
class Operation:
    """A validated query operation, its root selection, and every field that takes arguments."""

    definition: OperationDefinitionNode
    root: tuple[Selected, ...]
    sites: tuple[Selected, ...]


@dataclass(frozen=True)
class Rules:
    """The schema's parse limit and validation rules, as its extensions configure them."""

    max_tokens: int | None
    validation: tuple[type, ...]

    @classmethod
    def of(cls, schema: Schema) -> Rules:
        max_tokens: int | None = None
        rules: list[type] = list(specified_rules)
        for extension in schema.get_extensions():
            if isinstance(extension, AddValidationRules):
                rules.extend(extension.validation_rules)
            if isinstance(extension, MaxTokensLimiter):
                max_tokens = extension.max_token_count
        return cls(max_tokens, tuple(rules))


class _HasDirective(Visitor):
    found = False

    def enter_directive(self, _node: DirectiveNode, *_args: object) -> None:
        self.found = True


def checked_document(schema: Schema, rules: Rules, query: str) -> DocumentNode:
    """Parse and validate like the schema does; NotCovered on any error or directive."""
    try:
        document = parse(query, max_tokens=rules.max_tokens)
    except GraphQLError as error:
        raise NotCovered("does not parse") from error
    if validate_document(schema._schema, document, rules.validation):
        raise NotCovered("does not validate")
    finder = _HasDirective()
    visit(document, finder)
    if finder.found:
        raise NotCovered("directives are executed normally")
    return document


class _Collector:
    """graphql-core's field collection (merging same response keys), without directives."""

    def __init__(self, schema: GraphQLSchema, document: DocumentNode) -> None:
        self.schema = schema
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.sites: list[Selected] = []

    def collect(
        self, parent: GraphQLObjectType, sets: list[SelectionSetNode]
    ) -> tuple[Selected, ...]:
        grouped: dict[str, list[FieldNode]] = {}
        for selection_set in sets:
            self._group(parent, selection_set, grouped)
        return tuple(self._selected(parent, key, nodes) for key, nodes in grouped.items())

    def _group(
        self,
        parent: GraphQLObjectType,
        selection_set: SelectionSetNode,
        into: dict[str, list[FieldNode]],
    ) -> None:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                into.setdefault(key, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                if self._applies(parent, selection.type_condition):
                    self._group(parent, selection.selection_set, into)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments[selection.name.value]
                if self._applies(parent, fragment.type_condition):
                    self._group(parent, fragment.selection_set, into)

    def _applies(self, parent: GraphQLObjectType, condition: object) -> bool:
        if condition is None:
            return True
        name = getattr(getattr(condition, "name", None), "value", None)
        target = self.schema.get_type(name) if isinstance(name, str) else None
        if isinstance(target, GraphQLInterfaceType | GraphQLUnionType):
            return self.schema.is_sub_type(target, parent)
        return target is parent

    def _selected(self, parent: GraphQLObjectType, key: str, nodes: list[FieldNode]) -> Selected:
        name = nodes[0].name.value
        if name == "__typename":
            return Selected(key, name, nodes[0], _TYPENAME, "String", (), None)
        definition = parent.fields[name]
        named = get_named_type(definition.type)
        children: tuple[Selected, ...] = ()
        if isinstance(named, GraphQLObjectType):
            sets = [node.selection_set for node in nodes if node.selection_set]
            children = self.collect(named, sets)
        elif nodes[0].selection_set is not None:
            raise NotCovered(f"{named.name} is abstract")
        site = None
        if definition.args:
            site = len(self.sites)
        selected = Selected(key, name, nodes[0], definition, named.name, children, site)
        if site is not None:
            self.sites.append(selected)
        return selected


def _typename_field() -> GraphQLField:
    from graphql import GraphQLNonNull, GraphQLString

    return GraphQLField(GraphQLNonNull(GraphQLString))


_TYPENAME = _typename_field()


def operation(schema: GraphQLSchema, document: DocumentNode, name: str | None) -> Operation:
    """The query operation to run, its fields collected from the Query root."""
    definition = get_operation_ast(document, name)
    if definition is None or definition.operation is not OperationType.QUERY:
        raise NotCovered("not a single query operation")
    query_type = schema.query_type
    assert query_type is not None
    collector = _Collector(schema, document)
    root = collector.collect(query_type, [definition.selection_set])
    return Operation(definition, root, tuple(collector.sites))
