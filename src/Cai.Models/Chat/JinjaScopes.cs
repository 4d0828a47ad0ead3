namespace Cai.Models.Chat;

/// <summary>
/// jinja2's compile-time scoping (its idtracking.py), which decides what a name means before it is assigned. Each
/// frame (the template, a loop body, a macro, a block set or filter block body, a with body, a generation body) gets
/// a local for every name it assigns; a name assigned unconditionally in a frame, and not read there earlier nor
/// known to an enclosing frame, starts out undefined in that frame, hiding any variable of the same name passed to
/// the template. So <c>{% for m in x %}{{ c }}{% endfor %}{% set c = 1 %}</c> prints nothing for <c>c</c> even when the
/// caller passes one. Names assigned in only some branches of an <c>if</c> start as the outer value instead.
/// </summary>
internal static class JinjaScopes
{
    private enum Load { Parameter, Resolve, Alias, Undefined }

    /// <summary>The names each frame, keyed by its statement list, must start as undefined.</summary>
    public static IReadOnlyDictionary<IReadOnlyList<Stmt>, string[]> Analyze(IReadOnlyList<Stmt> template)
    {
        var result = new Dictionary<IReadOnlyList<Stmt>, string[]>(ReferenceEqualityComparer.Instance);
        AnalyzeFrame(template, null, symbols => VisitAll(symbols, template), result);
        return result;
    }

    /// <summary>jinja2's Symbols: the names a frame has locals for, and how each local starts.</summary>
    private sealed class Symbols(Symbols? parent)
    {
        public Symbols? Parent { get; } = parent;
        public Dictionary<string, Load> Refs { get; private init; } = [];
        public HashSet<string> Stores { get; private init; } = [];

        public bool HasRef(string name) => Refs.ContainsKey(name) || Parent?.HasRef(name) == true;

        public void Read(string name)
        {
            if (!HasRef(name)) Refs[name] = Load.Resolve;
        }

        public void Store(string name)
        {
            Stores.Add(name);
            if (!Refs.ContainsKey(name)) Refs[name] = Parent?.HasRef(name) == true ? Load.Alias : Load.Undefined;
        }

        public void Parameter(string name)
        {
            Stores.Add(name);
            Refs[name] = Load.Parameter;
        }

        public Symbols Copy() => new(Parent) { Refs = new(Refs), Stores = [.. Stores] };

        /// <summary>After an if: a name stored in only some branches starts as the outer (or passed) value.</summary>
        public void BranchUpdate(IReadOnlyList<Symbols> branches)
        {
            var counts = new Dictionary<string, int>();
            foreach (var branch in branches)
                foreach (var name in branch.Stores)
                    if (!Stores.Contains(name)) counts[name] = counts.GetValueOrDefault(name) + 1;
            foreach (var branch in branches)
            {
                foreach (var (name, load) in branch.Refs) Refs[name] = load;
                Stores.UnionWith(branch.Stores);
            }
            foreach (var (name, count) in counts)
                if (count != branches.Count) Refs[name] = Parent?.HasRef(name) == true ? Load.Alias : Load.Resolve;
        }
    }

    /// <summary>Analyzes one frame: <paramref name="visit"/> walks what jinja2's RootVisitor walks for it; nested frames
    /// are analyzed after it, with it as their parent.</summary>
    private static void AnalyzeFrame(IReadOnlyList<Stmt> key, Symbols? parent, Action<Symbols> visit, Dictionary<IReadOnlyList<Stmt>, string[]> result)
    {
        var symbols = new Symbols(parent);
        visit(symbols);
        result[key] = symbols.Refs.Where(r => r.Value == Load.Undefined).Select(r => r.Key).ToArray();
        foreach (var stmt in key) AnalyzeNestedFrames(stmt, symbols, result);
    }

    /// <summary>The frames a statement of this frame opens (statements of if branches belong to this frame).</summary>
    private static void AnalyzeNestedFrames(Stmt stmt, Symbols symbols, Dictionary<IReadOnlyList<Stmt>, string[]> result)
    {
        switch (stmt)
        {
            case IfStmt ifStmt:
                foreach (var (_, body) in ifStmt.Branches)
                    foreach (var s in body) AnalyzeNestedFrames(s, symbols, result);
                foreach (var s in ifStmt.Else) AnalyzeNestedFrames(s, symbols, result);
                break;
            case ForStmt forStmt:
                AnalyzeFrame(forStmt.Body, symbols, s => { VisitTarget(s, forStmt.Target, parameter: true); VisitAll(s, forStmt.Body); }, result);
                AnalyzeFrame(forStmt.Else, symbols, s => VisitAll(s, forStmt.Else), result);
                break;
            case MacroStmt macro:
                AnalyzeMacro(macro.Macro, symbols, result);
                break;
            case CallBlockStmt callBlock:
                AnalyzeMacro(callBlock.Caller, symbols, result);
                break;
            case SetBlockStmt setBlock:
                AnalyzeFrame(setBlock.Body, symbols, s => VisitAll(s, setBlock.Body), result);
                break;
            case FilterBlockStmt filterBlock:
                AnalyzeFrame(filterBlock.Body, symbols, s => { VisitExpr(s, filterBlock.Filter); VisitAll(s, filterBlock.Body); }, result);
                break;
            case WithStmt with:
                AnalyzeFrame(with.Body, symbols, s =>
                {
                    foreach (var (target, _) in with.Assignments) VisitTarget(s, target, parameter: true);
                    VisitAll(s, with.Body);
                }, result);
                break;
            case GenerationStmt generation:
                AnalyzeFrame(generation.Body, symbols, s => VisitAll(s, generation.Body), result);
                break;
        }
    }

    private static void AnalyzeMacro(MacroDefinition macro, Symbols parent, Dictionary<IReadOnlyList<Stmt>, string[]> result) =>
        AnalyzeFrame(macro.Body, parent, s =>
        {
            foreach (var p in macro.Parameters) s.Parameter(p);
            foreach (var d in macro.Defaults)
                if (d is not null) VisitExpr(s, d);
            VisitAll(s, macro.Body);
        }, result);

    private static void VisitAll(Symbols symbols, IEnumerable<Stmt> body)
    {
        foreach (var stmt in body) Visit(symbols, stmt);
    }

    /// <summary>jinja2's FrameSymbolVisitor: what a statement reads and assigns at this frame's level.</summary>
    private static void Visit(Symbols symbols, Stmt stmt)
    {
        switch (stmt)
        {
            case OutputStmt output:
                VisitExpr(symbols, output.Value);
                break;
            case IfStmt ifStmt:
                VisitIf(symbols, ifStmt.Branches, 0, ifStmt.Else);
                break;
            case ForStmt forStmt:
                VisitExpr(symbols, forStmt.Iterable);
                break;
            case SetStmt set:
                VisitExpr(symbols, set.Value);
                VisitTarget(symbols, set.Target, parameter: false);
                break;
            case SetBlockStmt setBlock:
                VisitTarget(symbols, setBlock.Target, parameter: false);
                break;
            case MacroStmt macro:
                symbols.Store(macro.Macro.Name);
                break;
            case CallBlockStmt callBlock:
                VisitExpr(symbols, callBlock.Call);
                break;
            case FilterBlockStmt filterBlock:
                VisitExpr(symbols, filterBlock.Filter);
                break;
            case WithStmt with:
                foreach (var (_, value) in with.Assignments) VisitExpr(symbols, value);
                break;
        }
    }

    /// <summary>jinja2 keeps elif branches as nested ifs in the middle branch: [body, elifs, else].</summary>
    private static void VisitIf(Symbols symbols, IReadOnlyList<(Expr Test, IReadOnlyList<Stmt> Body)> branches, int first, IReadOnlyList<Stmt> elseBody)
    {
        VisitExpr(symbols, branches[first].Test);
        Symbols Branch(Action<Symbols> visit)
        {
            var copy = symbols.Copy();
            visit(copy);
            return copy;
        }
        var body = Branch(s => VisitAll(s, branches[first].Body));
        var elifs = Branch(s =>
        {
            if (first != 0) return;
            for (int i = 1; i < branches.Count; i++) VisitIf(s, branches, i, []);
        });
        var otherwise = Branch(s => VisitAll(s, first == 0 ? elseBody : []));
        symbols.BranchUpdate([body, elifs, otherwise]);
    }

    private static void VisitTarget(Symbols symbols, Expr target, bool parameter)
    {
        switch (target)
        {
            case NameExpr name when parameter:
                symbols.Parameter(name.Name);
                break;
            case NameExpr name:
                symbols.Store(name.Name);
                break;
            case TupleExpr tuple:
                foreach (var item in tuple.Items) VisitTarget(symbols, item, parameter);
                break;
            case AttributeExpr { Target: NameExpr ns }:
                symbols.Read(ns.Name);
                break;
        }
    }

    /// <summary>Every name an expression reads.</summary>
    private static void VisitExpr(Symbols symbols, Expr? expr)
    {
        switch (expr)
        {
            case null or ConstExpr:
                return;
            case NameExpr name:
                symbols.Read(name.Name);
                return;
            case ListExpr list:
                foreach (var item in list.Items) VisitExpr(symbols, item);
                return;
            case TupleExpr tuple:
                foreach (var item in tuple.Items) VisitExpr(symbols, item);
                return;
            case DictExpr dict:
                foreach (var (key, value) in dict.Pairs) { VisitExpr(symbols, key); VisitExpr(symbols, value); }
                return;
            case AttributeExpr attribute:
                VisitExpr(symbols, attribute.Target);
                return;
            case ItemExpr item:
                VisitExpr(symbols, item.Target);
                VisitExpr(symbols, item.Index);
                return;
            case SliceExpr slice:
                VisitExpr(symbols, slice.Start);
                VisitExpr(symbols, slice.Stop);
                VisitExpr(symbols, slice.Step);
                return;
            case CallExpr call:
                VisitExpr(symbols, call.Callee);
                VisitArguments(symbols, call.Arguments);
                return;
            case FilterExpr filter:
                VisitExpr(symbols, filter.Value);
                VisitArguments(symbols, filter.Arguments);
                return;
            case TestExpr test:
                VisitExpr(symbols, test.Value);
                VisitArguments(symbols, test.Arguments);
                return;
            case UnaryExpr unary:
                VisitExpr(symbols, unary.Operand);
                return;
            case BinaryExpr binary:
                VisitExpr(symbols, binary.Left);
                VisitExpr(symbols, binary.Right);
                return;
            case ConcatExpr concat:
                foreach (var item in concat.Items) VisitExpr(symbols, item);
                return;
            case CompareExpr compare:
                VisitExpr(symbols, compare.First);
                foreach (var (_, operand) in compare.Rest) VisitExpr(symbols, operand);
                return;
            case ConditionalExpr conditional:
                VisitExpr(symbols, conditional.Test);
                VisitExpr(symbols, conditional.Then);
                VisitExpr(symbols, conditional.Else);
                return;
        }
    }

    private static void VisitArguments(Symbols symbols, CallArguments arguments)
    {
        foreach (var a in arguments.Positional) VisitExpr(symbols, a);
        foreach (var (_, value) in arguments.Named) VisitExpr(symbols, value);
        VisitExpr(symbols, arguments.Star);
        VisitExpr(symbols, arguments.DoubleStar);
    }
}
