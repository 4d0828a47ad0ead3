namespace Cai.Models.Chat;

// The syntax tree the parser builds and the evaluator walks. Every node keeps the offset of its first token (or of
// its operator, filter or method name) in the normalized source, for "name:line:column:" messages.

internal abstract record Expr(int Position);

internal sealed record ConstExpr(object? Value, int Position) : Expr(Position);

internal sealed record NameExpr(string Name, int Position) : Expr(Position);

internal sealed record ListExpr(IReadOnlyList<Expr> Items, int Position) : Expr(Position);

internal sealed record TupleExpr(IReadOnlyList<Expr> Items, int Position) : Expr(Position);

internal sealed record DictExpr(IReadOnlyList<(Expr Key, Expr Value)> Pairs, int Position) : Expr(Position);

/// <summary><c>target.name</c>: an attribute (a method) first, then an item.</summary>
internal sealed record AttributeExpr(Expr Target, string Name, int Position) : Expr(Position);

/// <summary><c>target[index]</c>: an item first, then an attribute; <c>index</c> may be a <see cref="SliceExpr"/>.</summary>
internal sealed record ItemExpr(Expr Target, Expr Index, int Position) : Expr(Position);

internal sealed record SliceExpr(Expr? Start, Expr? Stop, Expr? Step, int Position) : Expr(Position);

/// <summary>Arguments of a call, filter or test: <c>(a, b, key=c, *args, **kwargs)</c>.</summary>
internal sealed record CallArguments(IReadOnlyList<Expr> Positional, IReadOnlyList<(string Name, Expr Value)> Named, Expr? Star = null, Expr? DoubleStar = null)
{
    public static CallArguments None { get; } = new([], []);
}

internal sealed record CallExpr(Expr Callee, CallArguments Arguments, int Position) : Expr(Position);

/// <summary><c>value | name(arguments)</c>; <see cref="Value"/> is null for the filters of a filter block or block set,
/// which apply to the block's output.</summary>
internal sealed record FilterExpr(Expr? Value, string Name, CallArguments Arguments, int Position) : Expr(Position);

/// <summary><c>value is name(arguments)</c> (negated tests are wrapped in <c>not</c>).</summary>
internal sealed record TestExpr(Expr Value, string Name, CallArguments Arguments, int Position) : Expr(Position);

/// <summary><c>-x</c>, <c>+x</c>, <c>not x</c>.</summary>
internal sealed record UnaryExpr(string Operator, Expr Operand, int Position) : Expr(Position);

/// <summary><c>+ - * / // % **</c> and the short-circuiting <c>and</c>, <c>or</c>.</summary>
internal sealed record BinaryExpr(string Operator, Expr Left, Expr Right, int Position) : Expr(Position);

/// <summary><c>a ~ b ~ c</c>: the str() of each, joined.</summary>
internal sealed record ConcatExpr(IReadOnlyList<Expr> Items, int Position) : Expr(Position);

/// <summary>A comparison chain <c>a &lt; b &lt;= c</c>; operators are <c>== != &lt; &lt;= &gt; &gt;= in notin</c>.</summary>
internal sealed record CompareExpr(Expr First, IReadOnlyList<(string Operator, Expr Operand)> Rest, int Position) : Expr(Position);

/// <summary><c>then if test else otherwise</c>; without <c>else</c> a false test gives Undefined.</summary>
internal sealed record ConditionalExpr(Expr Test, Expr Then, Expr? Else, int Position) : Expr(Position);

internal abstract record Stmt(int Position);

internal sealed record TextStmt(string Text, int Position) : Stmt(Position);

internal sealed record OutputStmt(Expr Value, int Position) : Stmt(Position);

internal sealed record IfStmt(IReadOnlyList<(Expr Test, IReadOnlyList<Stmt> Body)> Branches, IReadOnlyList<Stmt> Else, int Position) : Stmt(Position);

/// <summary><c>for target in iterable if filter</c> … <c>else</c> … <c>endfor</c>.</summary>
internal sealed record ForStmt(Expr Target, Expr Iterable, Expr? Filter, IReadOnlyList<Stmt> Body, IReadOnlyList<Stmt> Else, int Position) : Stmt(Position);

/// <summary><c>set target = value</c>; the target is a name, a tuple of names, or <c>namespace.attribute</c>.</summary>
internal sealed record SetStmt(Expr Target, Expr Value, int Position) : Stmt(Position);

/// <summary><c>set target | filters</c> … <c>endset</c>: the body's output, filtered.</summary>
internal sealed record SetBlockStmt(Expr Target, FilterExpr? Filter, IReadOnlyList<Stmt> Body, int Position) : Stmt(Position);

/// <summary>A macro's signature and body; also the anonymous <c>caller</c> of a call block.</summary>
internal sealed record MacroDefinition(string Name, IReadOnlyList<string> Parameters, IReadOnlyList<Expr?> Defaults, IReadOnlyList<Stmt> Body,
    bool CatchesVarargs, bool CatchesKwargs, bool CatchesCaller);

internal sealed record MacroStmt(MacroDefinition Macro, int Position) : Stmt(Position);

/// <summary><c>call(params) macro(args)</c> … <c>endcall</c>: calls the macro with the body as <c>caller</c>.</summary>
internal sealed record CallBlockStmt(MacroDefinition Caller, CallExpr Call, int Position) : Stmt(Position);

internal sealed record FilterBlockStmt(FilterExpr Filter, IReadOnlyList<Stmt> Body, int Position) : Stmt(Position);

internal sealed record WithStmt(IReadOnlyList<(Expr Target, Expr Value)> Assignments, IReadOnlyList<Stmt> Body, int Position) : Stmt(Position);

internal sealed record BreakStmt(int Position) : Stmt(Position);

internal sealed record ContinueStmt(int Position) : Stmt(Position);

/// <summary>Hugging Face's <c>generation</c> … <c>endgeneration</c>: marks the assistant text an SFT mask covers.</summary>
internal sealed record GenerationStmt(IReadOnlyList<Stmt> Body, int Position) : Stmt(Position);
