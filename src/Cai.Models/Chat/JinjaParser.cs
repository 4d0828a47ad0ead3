namespace Cai.Models.Chat;

/// <summary>
/// Builds the syntax tree from tokens with jinja2's grammar and operator precedence (lowest first: conditional
/// expression, or, and, not, comparisons and in, + -, ~, * / // %, **, unary - +, then postfix . [] () and filters
/// and tests, which bind tighter than any operator). Anything outside the supported subset fails here, naming the
/// construct and its position, rather than while rendering.
/// </summary>
internal sealed class JinjaParser
{
    /// <summary>Jinja tags this interpreter leaves out (they need template loaders or autoescaping).</summary>
    private static readonly HashSet<string> _unsupportedTags = ["block", "extends", "include", "import", "from", "autoescape"];

    /// <summary>jinja2 globals this interpreter leaves out. Calls to other unknown names fail only when they run, as
    /// in jinja2 (the name is undefined), so that <c>f() if f is defined</c> still works.</summary>
    private static readonly HashSet<string> _unsupportedGlobals = ["lipsum", "cycler", "joiner"];

    private readonly SourceText _text;
    private readonly List<Token> _tokens;
    private readonly int _maxDepth;
    private int _index;
    private int _depth;
    private int _loopDepth;
    // Names a template assigns anywhere (set, for, with, macro and its parameters), which may shadow a global.
    private readonly HashSet<string> _assignedNames = [];
    private readonly List<(string Name, int Position)> _calledNames = [];
    // Names referenced inside the macro bodies being parsed (to know which accept varargs, kwargs and caller).
    private readonly Stack<HashSet<string>> _macroNames = new();

    private JinjaParser(SourceText text, List<Token> tokens, int maxDepth)
    {
        _text = text;
        _tokens = tokens;
        _maxDepth = maxDepth;
    }

    public bool HasGenerationBlocks { get; private set; }

    public static (IReadOnlyList<Stmt> Body, bool HasGenerationBlocks) Parse(SourceText text, int maxDepth)
    {
        var parser = new JinjaParser(text, JinjaLexer.Tokenize(text), maxDepth);
        var body = parser.Subparse(null);
        foreach (var (name, position) in parser._calledNames)
            if (_unsupportedGlobals.Contains(name) && !parser._assignedNames.Contains(name))
                throw text.Error(position, $"unsupported function '{name}'", JinjaErrorKind.Unsupported);
        return (body, parser.HasGenerationBlocks);
    }

    private Token Current => _index < _tokens.Count ? _tokens[_index] : new Token(TokenKind.Eof, "", null, _text.Source.Length);
    private Token Look => _index + 1 < _tokens.Count ? _tokens[_index + 1] : new Token(TokenKind.Eof, "", null, _text.Source.Length);
    private Token Next() { var t = Current; _index++; return t; }

    private JinjaTemplateException Fail(string message, int? position = null) => _text.Error(position ?? Current.Position, message);

    private JinjaTemplateException Unsupported(string what, int position) => _text.Error(position, $"unsupported {what}", JinjaErrorKind.Unsupported);

    private Token Expect(TokenKind kind, string? text = null)
    {
        var t = Current;
        if (t.Kind != kind || (text is not null && t.Text != text))
        {
            string wanted = text is not null ? $"'{text}'" : kind switch
            {
                TokenKind.BlockEnd => "end of statement block",
                TokenKind.VariableEnd => "end of print statement",
                TokenKind.Name => "a name",
                _ => kind.ToString(),
            };
            throw Fail($"expected {wanted}, got {t.Describe()}");
        }
        return Next();
    }

    private bool SkipOperator(string op)
    {
        if (!Current.IsOperator(op)) return false;
        _index++;
        return true;
    }

    private bool SkipName(string name)
    {
        if (!Current.IsName(name)) return false;
        _index++;
        return true;
    }

    /// <summary>One level deeper: a nested block or expression, or one more link of a left-deep chain such as
    /// <c>a + b + c</c> or <c>x.a.b</c> (the evaluator recurses through those too).</summary>
    private void Enter(int position)
    {
        if (++_depth > _maxDepth) throw _text.Error(position, $"the template nests deeper than {_maxDepth} levels", JinjaErrorKind.Limit);
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
    }

    // ---- Statements ----

    /// <summary>Template data, <c>{{ }}</c> and statements until a block tag whose name is in <paramref name="endNames"/>
    /// (left as the current token) or the end of the template.</summary>
    private List<Stmt> Subparse(string[]? endNames)
    {
        Enter(Current.Position);
        var body = new List<Stmt>();
        while (true)
        {
            var token = Current;
            switch (token.Kind)
            {
                case TokenKind.Eof:
                    if (endNames is not null) throw Fail($"unexpected end of template; expected {string.Join(" or ", endNames.Select(n => $"'{n}'"))}");
                    _depth--;
                    return body;
                case TokenKind.Data:
                    body.Add(new TextStmt(token.Text, token.Position));
                    _index++;
                    break;
                case TokenKind.VariableBegin:
                    _index++;
                    body.Add(new OutputStmt(ParseTuple(), token.Position));
                    Expect(TokenKind.VariableEnd);
                    break;
                case TokenKind.BlockBegin:
                    _index++;
                    if (endNames is not null && Current.Kind == TokenKind.Name && endNames.Contains(Current.Text))
                    {
                        _depth--;
                        return body;
                    }
                    body.AddRange(ParseStatement());
                    Expect(TokenKind.BlockEnd);
                    break;
                default:
                    throw Fail($"unexpected {token.Describe()}");
            }
        }
    }

    /// <summary>The body of a block statement: after the tag's end, up to one of <paramref name="endNames"/>.</summary>
    private List<Stmt> ParseBody(bool dropEnd, params string[] endNames)
    {
        SkipOperator(":");
        Expect(TokenKind.BlockEnd);
        var body = Subparse(endNames);
        if (dropEnd) _index++;
        return body;
    }

    private IEnumerable<Stmt> ParseStatement()
    {
        var token = Current;
        if (token.Kind != TokenKind.Name) throw Fail("expected a tag name");
        switch (token.Text)
        {
            case "for": return [ParseFor()];
            case "if": return [ParseIf()];
            case "set": return [ParseSet()];
            case "macro": return [ParseMacro()];
            case "call": return [ParseCallBlock()];
            case "filter": return [ParseFilterBlock()];
            case "with": return [ParseWith()];
            case "print": return ParsePrint();
            case "generation":
                _index++;
                HasGenerationBlocks = true;
                // The body is a function in jinja2 (a call block), so break and continue cannot reach an outer loop.
                int loopDepth = _loopDepth;
                _loopDepth = 0;
                var body = ParseBody(true, "endgeneration");
                _loopDepth = loopDepth;
                return [new GenerationStmt(body, token.Position)];
            case "break" or "continue":
                _index++;
                if (_loopDepth == 0) throw Fail($"'{token.Text}' outside of a loop", token.Position);
                return [token.Text == "break" ? new BreakStmt(token.Position) : new ContinueStmt(token.Position)];
        }
        if (_unsupportedTags.Contains(token.Text)) throw Unsupported($"tag '{token.Text}'", token.Position);
        throw _text.Error(token.Position, $"unknown tag '{token.Text}'", JinjaErrorKind.Unsupported);
    }

    private ForStmt ParseFor()
    {
        int position = Next().Position;
        var target = ParseAssignTarget("in");
        Expect(TokenKind.Name, "in");
        var iterable = ParseTuple(withCondition: false, extraEnd: "recursive");
        Expr? filter = SkipName("if") ? ParseExpression() : null;
        if (Current.IsName("recursive")) throw Unsupported("recursive for loop", Current.Position);
        _loopDepth++;
        var body = ParseBody(false, "endfor", "else");
        _loopDepth--;
        var elseBody = Next().Text == "else" ? ParseBody(true, "endfor") : [];
        return new ForStmt(target, iterable, filter, body, elseBody, position);
    }

    private IfStmt ParseIf()
    {
        int position = Next().Position;
        var branches = new List<(Expr, IReadOnlyList<Stmt>)>();
        while (true)
        {
            var test = ParseTuple(withCondition: false);
            branches.Add((test, ParseBody(false, "elif", "else", "endif")));
            var end = Next();
            if (end.Text == "elif") continue;
            var elseBody = end.Text == "else" ? ParseBody(true, "endif") : [];
            return new IfStmt(branches, elseBody, position);
        }
    }

    private Stmt ParseSet()
    {
        int position = Next().Position;
        Expr target;
        if (Current.Kind == TokenKind.Name && Look.IsOperator("."))
        {
            var ns = Next();
            _index++;
            var attribute = Expect(TokenKind.Name);
            target = new AttributeExpr(new NameExpr(ns.Text, ns.Position), attribute.Text, attribute.Position);
        }
        else target = ParseAssignTarget(null);
        if (SkipOperator("=")) return new SetStmt(target, ParseTuple(), position);
        var filter = Current.IsOperator("|") ? ParseFilters(null) : null;
        return new SetBlockStmt(target, (FilterExpr?)filter, ParseBody(true, "endset"), position);
    }

    /// <summary>A name or a tuple of names (for loop variables and set targets).</summary>
    private Expr ParseAssignTarget(string? extraEnd)
    {
        var target = ParseTuple(simplified: true, extraEnd: extraEnd);
        void Check(Expr e)
        {
            if (e is NameExpr n)
            {
                if (n.Name is "true" or "false" or "none" or "True" or "False" or "None") throw Fail($"cannot assign to '{n.Name}'", n.Position);
                _assignedNames.Add(n.Name);
            }
            else if (e is TupleExpr t) foreach (var item in t.Items) Check(item);
            else throw Fail("can only assign to names and tuples of names", e.Position);
        }
        Check(target);
        return target;
    }

    private MacroStmt ParseMacro()
    {
        int position = Next().Position;
        var name = Expect(TokenKind.Name);
        _assignedNames.Add(name.Text);
        var (parameters, defaults) = ParseSignature();
        return new MacroStmt(ParseMacroBody(name.Text, parameters, defaults, "endmacro"), position);
    }

    /// <summary><c>(a, b=default)</c> of a macro or call block.</summary>
    private (List<string> Parameters, List<Expr?> Defaults) ParseSignature()
    {
        var parameters = new List<string>();
        var defaults = new List<Expr?>();
        Expect(TokenKind.Operator, "(");
        while (!Current.IsOperator(")"))
        {
            if (parameters.Count > 0) Expect(TokenKind.Operator, ",");
            var parameter = Expect(TokenKind.Name);
            parameters.Add(parameter.Text);
            _assignedNames.Add(parameter.Text);
            if (SkipOperator("=")) defaults.Add(ParseExpression());
            else if (defaults.Any(d => d is not null)) throw Fail("non-default argument follows default argument", parameter.Position);
            else defaults.Add(null);
        }
        Expect(TokenKind.Operator, ")");
        return (parameters, defaults);
    }

    /// <summary>A macro body; notes whether it uses varargs, kwargs or caller (a macro accepts extra arguments and a
    /// call block only then, as in jinja2). Break and continue do not reach loops outside the macro.</summary>
    private MacroDefinition ParseMacroBody(string name, List<string> parameters, List<Expr?> defaults, string endName)
    {
        int loopDepth = _loopDepth;
        _loopDepth = 0;
        _macroNames.Push([]);
        var body = ParseBody(true, endName);
        var used = _macroNames.Pop();
        _loopDepth = loopDepth;
        return new MacroDefinition(name, parameters, defaults, body, used.Contains("varargs"), used.Contains("kwargs"), used.Contains("caller"));
    }

    private CallBlockStmt ParseCallBlock()
    {
        int position = Next().Position;
        var (parameters, defaults) = Current.IsOperator("(") ? ParseSignature() : ([], []);
        var call = ParseExpression() as CallExpr ?? throw Fail("expected a macro call", position);
        return new CallBlockStmt(ParseMacroBody("caller", parameters, defaults, "endcall"), call, position);
    }

    private FilterBlockStmt ParseFilterBlock()
    {
        int position = Next().Position;
        var filter = (FilterExpr)ParseFilters(null, startInline: true)!;
        return new FilterBlockStmt(filter, ParseBody(true, "endfilter"), position);
    }

    private WithStmt ParseWith()
    {
        int position = Next().Position;
        var assignments = new List<(Expr, Expr)>();
        while (Current.Kind != TokenKind.BlockEnd)
        {
            if (assignments.Count > 0) Expect(TokenKind.Operator, ",");
            var target = ParseAssignTarget(null);
            Expect(TokenKind.Operator, "=");
            assignments.Add((target, ParseExpression()));
        }
        return new WithStmt(assignments, ParseBody(true, "endwith"), position);
    }

    private List<Stmt> ParsePrint()
    {
        Next();
        var outputs = new List<Stmt>();
        while (Current.Kind != TokenKind.BlockEnd)
        {
            if (outputs.Count > 0) Expect(TokenKind.Operator, ",");
            var e = ParseExpression();
            outputs.Add(new OutputStmt(e, e.Position));
        }
        return outputs;
    }

    // ---- Expressions, lowest precedence first ----

    /// <summary>Expressions separated by commas make a tuple (<c>{{ a, b }}</c>, <c>for k, v in</c>).</summary>
    private Expr ParseTuple(bool simplified = false, bool withCondition = true, string? extraEnd = null, bool explicitParentheses = false)
    {
        int position = Current.Position;
        var items = new List<Expr>();
        bool isTuple = false;
        while (true)
        {
            if (items.Count > 0) Expect(TokenKind.Operator, ",");
            if (Current.Kind is TokenKind.VariableEnd or TokenKind.BlockEnd || Current.IsOperator(")") || (extraEnd is not null && Current.IsName(extraEnd)))
                break;
            items.Add(simplified ? ParsePrimary() : withCondition ? ParseExpression() : ParseOr());
            if (Current.IsOperator(",")) isTuple = true;
            else break;
        }
        if (isTuple) return new TupleExpr(items, position);
        if (items.Count == 1) return items[0];
        if (explicitParentheses) return new TupleExpr(items, position);
        throw Fail($"expected an expression, got {Current.Describe()}");
    }

    private Expr ParseExpression() => ParseConditional();

    private Expr ParseConditional()
    {
        int depth = _depth;
        var expr = ParseOr();
        while (Current.IsName("if"))
        {
            int position = Next().Position;
            Enter(position);
            var test = ParseOr();
            var otherwise = SkipName("else") ? ParseConditional() : null;
            expr = new ConditionalExpr(test, expr, otherwise, position);
        }
        _depth = depth;
        return expr;
    }

    private Expr ParseOr()
    {
        int depth = _depth;
        var left = ParseAnd();
        while (Current.IsName("or"))
        {
            int position = Next().Position;
            Enter(position);
            left = new BinaryExpr("or", left, ParseAnd(), position);
        }
        _depth = depth;
        return left;
    }

    private Expr ParseAnd()
    {
        int depth = _depth;
        var left = ParseNot();
        while (Current.IsName("and"))
        {
            int position = Next().Position;
            Enter(position);
            left = new BinaryExpr("and", left, ParseNot(), position);
        }
        _depth = depth;
        return left;
    }

    private Expr ParseNot()
    {
        if (!Current.IsName("not")) return ParseCompare();
        int position = Next().Position;
        Enter(position);
        var operand = ParseNot();
        _depth--;
        return new UnaryExpr("not", operand, position);
    }

    private Expr ParseCompare()
    {
        var first = ParseAddSub();
        var rest = new List<(string, Expr)>();
        while (true)
        {
            var t = Current;
            if (t.Kind == TokenKind.Operator && t.Text is "==" or "!=" or "<" or "<=" or ">" or ">=")
            {
                _index++;
                rest.Add((t.Text, ParseAddSub()));
            }
            else if (SkipName("in")) rest.Add(("in", ParseAddSub()));
            else if (t.IsName("not") && Look.IsName("in"))
            {
                _index += 2;
                rest.Add(("notin", ParseAddSub()));
            }
            else break;
        }
        return rest.Count == 0 ? first : new CompareExpr(first, rest, first.Position);
    }

    private Expr ParseAddSub()
    {
        int depth = _depth;
        var left = ParseConcat();
        while (Current.Kind == TokenKind.Operator && Current.Text is "+" or "-")
        {
            var op = Next();
            Enter(op.Position);
            left = new BinaryExpr(op.Text, left, ParseConcat(), op.Position);
        }
        _depth = depth;
        return left;
    }

    private Expr ParseConcat()
    {
        var items = new List<Expr> { ParseMulDiv() };
        while (SkipOperator("~")) items.Add(ParseMulDiv());
        return items.Count == 1 ? items[0] : new ConcatExpr(items, items[0].Position);
    }

    private Expr ParseMulDiv()
    {
        int depth = _depth;
        var left = ParsePower();
        while (Current.Kind == TokenKind.Operator && Current.Text is "*" or "/" or "//" or "%")
        {
            var op = Next();
            Enter(op.Position);
            left = new BinaryExpr(op.Text, left, ParsePower(), op.Position);
        }
        _depth = depth;
        return left;
    }

    /// <summary>Jinja's ** is left-associative (2**3**2 is 64), unlike Python's.</summary>
    private Expr ParsePower()
    {
        int depth = _depth;
        var left = ParseUnary();
        while (Current.IsOperator("**"))
        {
            var op = Next();
            Enter(op.Position);
            left = new BinaryExpr("**", left, ParseUnary(), op.Position);
        }
        _depth = depth;
        return left;
    }

    /// <summary>Unary minus applies before filters: <c>-x|abs</c> is <c>abs(-x)</c>.</summary>
    private Expr ParseUnary(bool withFilters = true)
    {
        var t = Current;
        Enter(t.Position);
        Expr node;
        if (t.IsOperator("-") || t.IsOperator("+"))
        {
            _index++;
            node = new UnaryExpr(t.Text, ParseUnary(withFilters: false), t.Position);
        }
        else node = ParsePrimary();
        node = ParsePostfix(node);
        if (withFilters) node = ParseFiltersAndTests(node);
        _depth--;
        return node;
    }

    private Expr ParsePrimary()
    {
        var t = Current;
        switch (t.Kind)
        {
            case TokenKind.Name:
                _index++;
                return t.Text switch
                {
                    "true" or "True" => new ConstExpr(true, t.Position),
                    "false" or "False" => new ConstExpr(false, t.Position),
                    "none" or "None" => new ConstExpr(null, t.Position),
                    _ => NameReference(t),
                };
            case TokenKind.String:
                // Adjacent string literals concatenate, as in Python.
                string text = (string)t.Value!;
                for (_index++; Current.Kind == TokenKind.String; _index++) text += (string)Current.Value!;
                return new ConstExpr(text, t.Position);
            case TokenKind.Integer or TokenKind.Float:
                _index++;
                return new ConstExpr(t.Value, t.Position);
            case TokenKind.Operator when t.Text == "(":
                _index++;
                Enter(t.Position);
                var inner = ParseTuple(explicitParentheses: true);
                _depth--;
                Expect(TokenKind.Operator, ")");
                return inner;
            case TokenKind.Operator when t.Text == "[":
                return ParseList();
            case TokenKind.Operator when t.Text == "{":
                return ParseDict();
        }
        throw Fail($"unexpected {t.Describe()}");
    }

    private NameExpr NameReference(Token t)
    {
        // jinja2 looks for varargs, kwargs and caller in nested macros and call blocks too.
        foreach (var names in _macroNames) names.Add(t.Text);
        return new NameExpr(t.Text, t.Position);
    }

    private ListExpr ParseList()
    {
        int position = Next().Position;
        var items = new List<Expr>();
        while (!Current.IsOperator("]"))
        {
            if (items.Count > 0) Expect(TokenKind.Operator, ",");
            if (Current.IsOperator("]")) break;
            items.Add(ParseExpression());
        }
        Expect(TokenKind.Operator, "]");
        return new ListExpr(items, position);
    }

    private DictExpr ParseDict()
    {
        int position = Next().Position;
        var pairs = new List<(Expr, Expr)>();
        while (!Current.IsOperator("}"))
        {
            if (pairs.Count > 0) Expect(TokenKind.Operator, ",");
            if (Current.IsOperator("}")) break;
            var key = ParseExpression();
            Expect(TokenKind.Operator, ":");
            pairs.Add((key, ParseExpression()));
        }
        Expect(TokenKind.Operator, "}");
        return new DictExpr(pairs, position);
    }

    /// <summary><c>.name</c>, <c>.0</c>, <c>[index]</c>, <c>[a:b:c]</c> and calls.</summary>
    private Expr ParsePostfix(Expr node)
    {
        int depth = _depth;
        while (true)
        {
            var t = Current;
            if (t.IsOperator(".") || t.IsOperator("[") || t.IsOperator("(")) Enter(t.Position);
            if (t.IsOperator("."))
            {
                _index++;
                var attribute = Next();
                node = attribute.Kind switch
                {
                    TokenKind.Name => new AttributeExpr(node, attribute.Text, attribute.Position),
                    TokenKind.Integer => new ItemExpr(node, new ConstExpr(attribute.Value, attribute.Position), attribute.Position),
                    _ => throw Fail("expected a name or number after '.'", attribute.Position),
                };
            }
            else if (t.IsOperator("["))
            {
                _index++;
                var indices = new List<Expr>();
                while (!Current.IsOperator("]"))
                {
                    if (indices.Count > 0) Expect(TokenKind.Operator, ",");
                    indices.Add(ParseSubscript());
                }
                Expect(TokenKind.Operator, "]");
                node = new ItemExpr(node, indices.Count == 1 ? indices[0] : new TupleExpr(indices, t.Position), t.Position);
            }
            else if (t.IsOperator("(")) node = ParseCall(node);
            else
            {
                _depth = depth;
                return node;
            }
        }
    }

    private Expr ParseSubscript()
    {
        int position = Current.Position;
        Expr? start = null;
        if (!Current.IsOperator(":"))
        {
            start = ParseExpression();
            if (!Current.IsOperator(":")) return start;
        }
        _index++;
        Expr? stop = Current.IsOperator(":") || Current.IsOperator("]") || Current.IsOperator(",") ? null : ParseExpression();
        Expr? step = null;
        if (SkipOperator(":") && !Current.IsOperator("]") && !Current.IsOperator(",")) step = ParseExpression();
        return new SliceExpr(start, stop, step, position);
    }

    private CallExpr ParseCall(Expr callee)
    {
        switch (callee)
        {
            case NameExpr name:
                _calledNames.Add((name.Name, name.Position));
                break;
            case AttributeExpr attribute when !JinjaMethods.Names.Contains(attribute.Name):
                throw Unsupported($"method '{attribute.Name}'", attribute.Position);
        }
        return new CallExpr(callee, ParseCallArguments(), callee.Position);
    }

    private CallArguments ParseCallArguments()
    {
        int position = Expect(TokenKind.Operator, "(").Position;
        var positional = new List<Expr>();
        var named = new List<(string, Expr)>();
        Expr? star = null, doubleStar = null;
        bool needComma = false;
        while (!Current.IsOperator(")"))
        {
            if (needComma)
            {
                Expect(TokenKind.Operator, ",");
                if (Current.IsOperator(")")) break;
            }
            if (SkipOperator("*"))
            {
                if (star is not null || doubleStar is not null) throw Fail("invalid syntax for function call expression", position);
                star = ParseExpression();
            }
            else if (SkipOperator("**"))
            {
                if (doubleStar is not null) throw Fail("invalid syntax for function call expression", position);
                doubleStar = ParseExpression();
            }
            else if (Current.Kind == TokenKind.Name && Look.IsOperator("="))
            {
                if (doubleStar is not null) throw Fail("invalid syntax for function call expression", position);
                string key = Next().Text;
                _index++;
                named.Add((key, ParseExpression()));
            }
            else
            {
                if (star is not null || doubleStar is not null || named.Count > 0) throw Fail("positional argument follows keyword argument", Current.Position);
                positional.Add(ParseExpression());
            }
            needComma = true;
        }
        Expect(TokenKind.Operator, ")");
        return new CallArguments(positional, named, star, doubleStar);
    }

    private Expr ParseFiltersAndTests(Expr node)
    {
        int depth = _depth;
        while (true)
        {
            Enter(Current.Position);
            if (Current.IsOperator("|")) node = ParseFilters(node)!;
            else if (Current.IsName("is")) node = ParseTest(node);
            else if (Current.IsOperator("(")) node = ParseCall(node);
            else
            {
                _depth = depth;
                return node;
            }
        }
    }

    /// <summary>A chain <c>| f | g(x)</c>; with <paramref name="startInline"/> the first filter has no leading pipe.</summary>
    private Expr? ParseFilters(Expr? node, bool startInline = false)
    {
        while (Current.IsOperator("|") || startInline)
        {
            if (!startInline) _index++;
            startInline = false;
            var name = Expect(TokenKind.Name);
            Enter(name.Position);
            if (Current.IsOperator(".")) throw Unsupported($"filter '{name.Text}.{Look.Text}'", name.Position);
            if (!JinjaFilters.FilterNames.Contains(name.Text)) throw Unsupported($"filter '{name.Text}'", name.Position);
            var arguments = Current.IsOperator("(") ? ParseCallArguments() : CallArguments.None;
            node = new FilterExpr(node, name.Text, arguments, name.Position);
        }
        return node;
    }

    private Expr ParseTest(Expr node)
    {
        int position = Next().Position;
        bool negated = SkipName("not");
        var name = Expect(TokenKind.Name);
        if (Current.IsOperator(".")) throw Unsupported($"test '{name.Text}.{Look.Text}'", name.Position);
        if (!JinjaFilters.TestNames.Contains(name.Text)) throw Unsupported($"test '{name.Text}'", name.Position);
        CallArguments arguments;
        var t = Current;
        if (t.IsOperator("(")) arguments = ParseCallArguments();
        else if ((t.Kind is TokenKind.Name or TokenKind.String or TokenKind.Integer or TokenKind.Float || t.IsOperator("[") || t.IsOperator("{"))
                 && !t.IsName("else") && !t.IsName("or") && !t.IsName("and"))
        {
            if (t.IsName("is")) throw Fail("you cannot chain multiple tests with 'is'");
            arguments = new CallArguments([ParsePostfix(ParsePrimary())], []);
        }
        else arguments = CallArguments.None;
        Expr test = new TestExpr(node, name.Text, arguments, name.Position);
        return negated ? new UnaryExpr("not", test, position) : test;
    }
}
