"""An HTML element tree (standard library ``html.parser``) for the report tests, and its own tests.

The report tests assert on the elements a page really has (which tags, where, with which
attributes, holding which text), not on substrings of its source.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Node:
    tag: str
    attrs: dict = field(default_factory=dict)
    children: list = field(default_factory=list)   # Node or str

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self):
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def find_all(self, tag: str) -> list:
        return [node for node in self.iter() if node.tag == tag]

    def tags(self) -> set:
        return {node.tag for node in self.iter()} - {"#root"}


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#root")
        self.stack = [self.root]
        self.problems: list = []

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs))
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Node(tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if self.stack[-1].tag != tag:
            self.problems.append(f"</{tag}> closes <{self.stack[-1].tag}>")
            return
        self.stack.pop()

    def handle_data(self, data):
        self.stack[-1].children.append(data)

    def handle_comment(self, data):
        self.stack[-1].children.append(Node("#comment", {"data": data}))

    def handle_pi(self, data):
        self.stack[-1].children.append(Node("#pi", {"data": data}))

    def unknown_decl(self, data):
        self.stack[-1].children.append(Node("#decl", {"data": data}))


def parse_html(text: str) -> Node:
    """The element tree of ``text``; fails unless every element is closed where it should be."""
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    assert not builder.problems, builder.problems[:5]
    assert builder.stack == [builder.root], f"unclosed: {[n.tag for n in builder.stack[1:]]}"
    return builder.root


def test_the_tree_sees_elements_attributes_and_text():
    root = parse_html('<p>a <a href="http://x">b</a> &lt;c&gt;<img src="y"><br /></p><!-- z -->')
    assert root.tags() == {"p", "a", "img", "br", "#comment"}
    assert root.find_all("a")[0].attrs == {"href": "http://x"}
    assert root.find_all("p")[0].text() == "a b <c>"


def test_the_tree_refuses_badly_nested_html():
    for text in ("<p><b>x</p></b>", "<ul><li>x</ul>", "<div>"):
        try:
            parse_html(text)
        except AssertionError:
            continue
        raise AssertionError(f"accepted {text!r}")
