"""The SPARQL 1.1 Query grammar, and the LALR(1) parser Lark builds from it.

The grammar is section 19.8 of the recommendation, rules [1] to [128] (query forms
only), written out for Lark; its terminals are those :mod:`api.sparql.lexer` reads, fed
to Lark's interactive parser by :mod:`api.sparql.parser`. LALR keeps its stack in a
list, so no nesting overflows it.

The parser is built once per process, on first use or by :func:`build_parser` (about
0.3 s; query workers build it in the background as soon as they are ready).
"""

import threading
from functools import cache

from lark import Lark
from lark.lexer import Lexer

from api.sparql.lexer import TERMINALS

#: The SPARQL 1.1 Query grammar, rules numbered as in the recommendation.
GRAMMAR = r"""
// [1], [2] QueryUnit, Query (Prologue, a form, then ValuesClause)
query_unit: prologue (select_query | construct_query | describe_query | ask_query) values_clause
// [4] - [6]
prologue: (base_decl | prefix_decl)*
base_decl: BASE IRIREF
prefix_decl: PREFIX PNAME_NS IRIREF
// [7] - [12]
select_query: select_clause dataset_clause* where_clause solution_modifier
sub_select: select_clause where_clause solution_modifier values_clause
select_clause: SELECT (DISTINCT | REDUCED)? (select_item+ | STAR)
select_item: var | LPAR expression AS var RPAR
construct_query: CONSTRUCT construct_template dataset_clause* where_clause solution_modifier
               | CONSTRUCT dataset_clause* WHERE LBRACE triples_template? RBRACE solution_modifier
describe_query: DESCRIBE (var_or_iri+ | STAR) dataset_clause* where_clause? solution_modifier
ask_query: ASK dataset_clause* where_clause solution_modifier
// [13] - [16]
dataset_clause: FROM iri | FROM NAMED iri
// [17] - [27]
where_clause: WHERE? group_graph_pattern
solution_modifier: group_clause? having_clause? order_clause? limit_offset_clauses?
group_clause: GROUP BY group_condition+
group_condition: builtin_call | function_call | LPAR expression (AS var)? RPAR | var
having_clause: HAVING constraint+
order_clause: ORDER BY order_condition+
order_condition: (ASC | DESC) bracketted_expression | constraint | var
limit_offset_clauses: LIMIT INTEGER (OFFSET INTEGER)? | OFFSET INTEGER (LIMIT INTEGER)?
// [28]
values_clause: (VALUES data_block)?
// [52] TriplesTemplate
triples_template: triples_same_subject (DOT triples_template?)?
// [53] - [68]
group_graph_pattern: LBRACE (sub_select | group_graph_pattern_sub) RBRACE
group_graph_pattern_sub: triples_block? (graph_pattern_not_triples DOT? triples_block?)*
triples_block: triples_same_subject_path (DOT triples_block?)?
graph_pattern_not_triples: group_or_union_graph_pattern | optional_graph_pattern
                         | minus_graph_pattern | graph_graph_pattern | service_graph_pattern
                         | filter | bind | inline_data
optional_graph_pattern: OPTIONAL group_graph_pattern
graph_graph_pattern: GRAPH var_or_iri group_graph_pattern
service_graph_pattern: SERVICE SILENT? var_or_iri group_graph_pattern
bind: BIND LPAR expression AS var RPAR
inline_data: VALUES data_block
data_block: var LBRACE data_block_value* RBRACE
          | (NIL | LPAR var* RPAR) LBRACE (LPAR data_block_value* RPAR | NIL)* RBRACE
data_block_value: iri | rdf_literal | numeric_literal | boolean_literal | UNDEF
minus_graph_pattern: MINUS group_graph_pattern
group_or_union_graph_pattern: group_graph_pattern (UNION group_graph_pattern)*
filter: FILTER constraint
// [69] - [72]
constraint: bracketted_expression | builtin_call | function_call
function_call: iri arg_list
arg_list: NIL | LPAR DISTINCT? expression (COMMA expression)* RPAR
expression_list: NIL | LPAR expression (COMMA expression)* RPAR
// [73] - [80]
construct_template: LBRACE construct_triples? RBRACE
construct_triples: triples_same_subject (DOT construct_triples?)?
triples_same_subject: var_or_term property_list_not_empty | triples_node property_list_not_empty?
property_list_not_empty: verb object_list (SEMI (verb object_list)?)*
verb: var_or_iri | A
object_list: graph_node (COMMA graph_node)*
// [81] - [96]
triples_same_subject_path: var_or_term property_list_path_not_empty
                         | triples_node_path property_list_path_not_empty?
property_list_path_not_empty: (path | var) object_list_path (SEMI ((path | var) object_list)?)*
object_list_path: graph_node_path (COMMA graph_node_path)*
path: path_sequence (PIPE path_sequence)*
path_sequence: path_elt_or_inverse (SLASH path_elt_or_inverse)*
path_elt_or_inverse: path_elt | CARET path_elt
path_elt: path_primary (QMARK | STAR | PLUS)?
path_primary: iri | A | BANG path_negated_property_set | LPAR path RPAR
path_negated_property_set: path_one_in_property_set
                         | LPAR (path_one_in_property_set (PIPE path_one_in_property_set)*)? RPAR
path_one_in_property_set: iri | A | CARET iri | CARET A
// [98] - [109]
triples_node: LPAR graph_node+ RPAR | LBRACK property_list_not_empty RBRACK
triples_node_path: LPAR graph_node_path+ RPAR | LBRACK property_list_path_not_empty RBRACK
graph_node: var_or_term | triples_node
graph_node_path: var_or_term | triples_node_path
var_or_term: var | graph_term
var_or_iri: var | iri
var: VAR
graph_term: iri | rdf_literal | numeric_literal | boolean_literal | BLANK_NODE_LABEL | ANON | NIL
// [110] - [120]
expression: conditional_and_expression (OR conditional_and_expression)*
conditional_and_expression: relational_expression (AND relational_expression)*
relational_expression: additive_expression
                     | additive_expression (EQ | NE | LT | GT | LE | GE) additive_expression
                     | additive_expression NOT? IN expression_list
additive_expression: multiplicative_expression additive_term*
additive_term: (PLUS | DASH) multiplicative_expression
             | (numeric_literal_positive | numeric_literal_negative) multiplicative_term*
multiplicative_term: (STAR | SLASH) unary_expression
multiplicative_expression: unary_expression multiplicative_term*
unary_expression: (BANG | PLUS | DASH)? primary_expression
primary_expression: bracketted_expression | builtin_call | iri_or_function | rdf_literal
                  | numeric_literal | boolean_literal | var
bracketted_expression: LPAR expression RPAR
// [121] - [127]
builtin_call: aggregate
            | function_of_one LPAR expression RPAR
            | function_of_two LPAR expression COMMA expression RPAR
            | BOUND LPAR var RPAR
            | BNODE (LPAR expression RPAR | NIL)
            | (RAND | NOW | UUID | STRUUID) NIL
            | (CONCAT | COALESCE) expression_list
            | IF LPAR expression COMMA expression COMMA expression RPAR
            | (REGEX | SUBSTR) LPAR expression COMMA expression (COMMA expression)? RPAR
            | REPLACE LPAR expression COMMA expression COMMA expression (COMMA expression)? RPAR
            | EXISTS group_graph_pattern
            | NOT EXISTS group_graph_pattern
function_of_one: STR | LANG | DATATYPE | IRI | URI | ABS | CEIL | FLOOR | ROUND | STRLEN
               | UCASE | LCASE | ENCODE_FOR_URI | YEAR | MONTH | DAY | HOURS | MINUTES
               | SECONDS | TIMEZONE | TZ | MD5 | SHA1 | SHA256 | SHA384 | SHA512 | ISIRI
               | ISURI | ISBLANK | ISLITERAL | ISNUMERIC
function_of_two: LANGMATCHES | CONTAINS | STRSTARTS | STRENDS | STRBEFORE | STRAFTER
               | STRLANG | STRDT | SAMETERM
aggregate: COUNT LPAR DISTINCT? (STAR | expression) RPAR
         | (SUM | MIN | MAX | AVG | SAMPLE) LPAR DISTINCT? expression RPAR
         | GROUP_CONCAT LPAR DISTINCT? expression (SEMI SEPARATOR EQ STRING)? RPAR
// [128] - [138]
iri_or_function: iri arg_list?
rdf_literal: STRING (LANGTAG | HATHAT iri)?
numeric_literal: INTEGER | DECIMAL | DOUBLE | numeric_literal_positive | numeric_literal_negative
numeric_literal_positive: INTEGER_POSITIVE | DECIMAL_POSITIVE | DOUBLE_POSITIVE
numeric_literal_negative: INTEGER_NEGATIVE | DECIMAL_NEGATIVE | DOUBLE_NEGATIVE
boolean_literal: TRUE | FALSE
iri: IRIREF | PNAME_LN | PNAME_NS
"""

_BUILDING = threading.Lock()


def build_parser() -> Lark:
    """The parser (built on the first call; the others wait for it, then share it)."""
    with _BUILDING:
        return _parser()


@cache
def _parser() -> Lark:
    declared = "%declare " + " ".join(sorted(TERMINALS))
    return Lark(
        GRAMMAR + declared,
        parser="lalr",
        lexer=_TokensFedByHand,
        start="query_unit",
        keep_all_tokens=False,
    )


class _TokensFedByHand(Lexer):
    """Lark wants a lexer class; tokens are fed to its interactive parser instead."""

    def __init__(self, lexer_conf: object) -> None:
        pass

    def lex(self, lexer_state: object, parser_state: object):  # pragma: no cover
        raise NotImplementedError("tokens come from api.sparql.lexer")
