using System.Runtime.CompilerServices;
using System.Text;

namespace Cai.Models.Chat;

/// <summary>
/// Walks the syntax tree and writes the output. Scoping is jinja2's: each loop iteration, macro call and block body
/// is a frame of its own (a <c>set</c> inside a loop does not leak out, hence <c>namespace()</c>), <c>if</c> is not,
/// a macro sees the frame it was defined in as it is when called, and <see cref="JinjaScopes"/> says which names a
/// frame starts with as undefined.
/// </summary>
internal sealed class JinjaEvaluator
{
    /// <summary>Python's sandbox refuses ranges longer than this (jinja2.sandbox.MAX_RANGE).</summary>
    private const int MaxRange = 100_000;

    private readonly JinjaOptions _options;
    private readonly IReadOnlyDictionary<IReadOnlyList<Stmt>, string[]> _undefinedAtEntry;
    private readonly Func<DateTime> _now;
    private readonly StringBuilder _root = new();
    private StringBuilder _output;
    private readonly List<(int Start, int Length)>? _generationSpans;
    private int _callDepth;
    private long _steps;

    private enum Flow { Normal, Break, Continue }

    private JinjaEvaluator(JinjaOptions options, IReadOnlyDictionary<IReadOnlyList<Stmt>, string[]> undefinedAtEntry, Func<DateTime> now, bool trackGeneration)
    {
        _options = options;
        _undefinedAtEntry = undefinedAtEntry;
        _now = now;
        _output = _root;
        _generationSpans = trackGeneration ? [] : null;
    }

    public int MaxStringLength => _options.MaxOutputLength;

    /// <summary>Renders <paramref name="body"/>; with <paramref name="trackGeneration"/>, also the spans of the output
    /// that <c>generation</c> blocks wrote.</summary>
    public static (string Text, IReadOnlyList<(int Start, int Length)> GenerationSpans) Render(IReadOnlyList<Stmt> body,
        IReadOnlyDictionary<IReadOnlyList<Stmt>, string[]> undefinedAtEntry, IReadOnlyDictionary<string, object?> variables, JinjaOptions options, bool trackGeneration)
    {
        var evaluator = new JinjaEvaluator(options, undefinedAtEntry, options.Clock, trackGeneration);
        var context = new Scope(null);
        foreach (var (name, value) in variables) context.Set(name, PythonValue.FromClr(value));
        evaluator.ExecBody(body, evaluator.Frame(context, body));
        return (evaluator._root.ToString(), evaluator._generationSpans ?? []);
    }

    /// <summary>Variables visible at one point; lookups fall through to enclosing scopes.</summary>
    internal sealed class Scope(Scope? parent)
    {
        private static readonly object _notYetAssigned = new();
        private readonly Dictionary<string, object?> _variables = [];
        private readonly Scope? _parent = parent;

        public bool TryGet(string name, out object? value)
        {
            for (var scope = this; scope is not null; scope = scope._parent)
                if (scope._variables.TryGetValue(name, out value))
                {
                    if (value == _notYetAssigned) value = Undefined.Named(name);
                    return true;
                }
            value = null;
            return false;
        }

        public void Set(string name, object? value) => _variables[name] = value;

        /// <summary>Hides outer variables of this name until the frame assigns it (see <see cref="JinjaScopes"/>).</summary>
        public void DeclareUnassigned(string name) => _variables[name] = _notYetAssigned;
    }

    /// <summary>A new frame (jinja2's scope of a template, loop iteration, macro call or block body).</summary>
    private Scope Frame(Scope parent, IReadOnlyList<Stmt> body)
    {
        var scope = new Scope(parent);
        if (_undefinedAtEntry.TryGetValue(body, out var names))
            foreach (var name in names) scope.DeclareUnassigned(name);
        return scope;
    }

    // ---- Output ----

    private void Write(string text)
    {
        if (_output.Length + (long)text.Length > _options.MaxOutputLength)
            throw new JinjaRuntimeError($"the output exceeds the limit of {_options.MaxOutputLength} characters", JinjaErrorKind.Limit);
        _output.Append(text);
    }

    /// <summary>Runs a body into a fresh buffer (block set, filter block, macro) and returns what it wrote; a break or
    /// continue inside leaves the enclosing loop and the text is dropped, as in jinja2's compiled code.</summary>
    private (string Text, Flow Flow) Capture(IReadOnlyList<Stmt> body, Scope scope)
    {
        var saved = _output;
        _output = new StringBuilder();
        try
        {
            var flow = ExecBody(body, scope);
            return (_output.ToString(), flow);
        }
        finally
        {
            _output = saved;
        }
    }

    private void Step()
    {
        if (++_steps > _options.MaxSteps)
            throw new JinjaRuntimeError($"the template ran more than {_options.MaxSteps} loop iterations and macro calls", JinjaErrorKind.Limit);
    }

    private static void EnsureStack()
    {
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
            throw new JinjaRuntimeError("the template nests too deeply for the stack", JinjaErrorKind.Limit);
    }

    // ---- Statements ----

    private Flow ExecBody(IReadOnlyList<Stmt> body, Scope scope)
    {
        EnsureStack();
        foreach (var stmt in body)
        {
            try
            {
                var flow = Exec(stmt, scope);
                if (flow != Flow.Normal) return flow;
            }
            catch (JinjaRuntimeError e) when (e.Position < 0)
            {
                e.Position = stmt.Position;
                throw;
            }
        }
        return Flow.Normal;
    }

    private Flow Exec(Stmt stmt, Scope scope)
    {
        switch (stmt)
        {
            case TextStmt text:
                Write(text.Text);
                return Flow.Normal;
            case OutputStmt output:
                Write(PythonValue.Str(Eval(output.Value, scope)));
                return Flow.Normal;
            case IfStmt ifStmt:
                foreach (var (test, body) in ifStmt.Branches)
                    if (PythonValue.IsTrue(Eval(test, scope))) return ExecBody(body, scope);
                return ExecBody(ifStmt.Else, scope);
            case ForStmt forStmt:
                ExecFor(forStmt, scope);
                return Flow.Normal;
            case SetStmt set:
                Assign(set.Target, Eval(set.Value, scope), scope);
                return Flow.Normal;
            case SetBlockStmt setBlock:
                var (captured, setFlow) = Capture(setBlock.Body, Frame(scope, setBlock.Body));
                if (setFlow != Flow.Normal) return setFlow;
                Assign(setBlock.Target, setBlock.Filter is null ? captured : ApplyFilter(setBlock.Filter, captured, scope), scope);
                return Flow.Normal;
            case MacroStmt macro:
                scope.Set(macro.Macro.Name, new Macro(macro.Macro, scope));
                return Flow.Normal;
            case CallBlockStmt callBlock:
                var arguments = EvalArguments(callBlock.Call.Arguments, scope);
                arguments.Named.Add(new("caller", new Macro(callBlock.Caller, scope)));
                Write(PythonValue.Str(Call(Eval(callBlock.Call.Callee, scope), arguments)));
                return Flow.Normal;
            case FilterBlockStmt filterBlock:
                var (filtered, filterFlow) = Capture(filterBlock.Body, Frame(scope, filterBlock.Body));
                if (filterFlow != Flow.Normal) return filterFlow;
                Write(PythonValue.Str(ApplyFilter(filterBlock.Filter, filtered, scope)));
                return Flow.Normal;
            case WithStmt with:
                var inner = Frame(scope, with.Body);
                foreach (var (target, value) in with.Assignments) Assign(target, Eval(value, scope), inner);
                return ExecBody(with.Body, inner);
            case BreakStmt:
                return Flow.Break;
            case ContinueStmt:
                return Flow.Continue;
            case GenerationStmt generation:
                return ExecGeneration(generation, scope);
            default:
                throw new InvalidOperationException($"Unknown statement {stmt.GetType().Name}.");
        }
    }

    private void ExecFor(ForStmt forStmt, Scope scope)
    {
        var items = PythonValue.Iterate(Eval(forStmt.Iterable, scope));
        if (forStmt.Filter is not null)
        {
            var kept = new List<object?>();
            foreach (var item in items)
            {
                Step();
                var filterScope = new Scope(scope);
                Assign(forStmt.Target, item, filterScope);
                if (PythonValue.IsTrue(Eval(forStmt.Filter, filterScope))) kept.Add(item);
            }
            items = kept;
        }
        var loop = new LoopContext(items);
        // jinja2 runs the else block unless some iteration reached the end of the body: an empty loop, but also one
        // whose every iteration ended in continue, or whose first one broke out.
        bool completed = false;
        for (int i = 0; i < items.Count; i++)
        {
            Step();
            loop.Index0 = i;
            var iteration = Frame(scope, forStmt.Body);
            Assign(forStmt.Target, items[i], iteration);
            iteration.Set("loop", loop);
            var flow = ExecBody(forStmt.Body, iteration);
            if (flow == Flow.Break) break;
            completed |= flow == Flow.Normal;
        }
        if (!completed) ExecBody(forStmt.Else, Frame(scope, forStmt.Else));
    }

    /// <summary>
    /// Hugging Face's AssistantTracker: the block's body renders into its own buffer (it is a call block's caller in
    /// jinja2) and the span starts at the length of the output written so far, as transformers measures it. That is
    /// where the text lands when the block writes straight to the output, the usual case.
    /// </summary>
    private Flow ExecGeneration(GenerationStmt generation, Scope scope)
    {
        var frame = Frame(scope, generation.Body);
        // As a caller macro, the body has its own (empty) varargs, kwargs and caller.
        frame.Set("varargs", JinjaSequence.Tuple());
        frame.Set("kwargs", new JinjaDict());
        frame.Set("caller", new Undefined("No caller defined"));
        var (text, flow) = Capture(generation.Body, frame);
        _generationSpans?.Add((_root.Length, text.Length));
        Write(text);
        return flow;
    }

    private void Assign(Expr target, object? value, Scope scope)
    {
        switch (target)
        {
            case NameExpr name:
                scope.Set(name.Name, value);
                return;
            case TupleExpr tuple:
                var items = PythonValue.Iterate(value);
                if (items.Count != tuple.Items.Count)
                    throw new JinjaRuntimeError(items.Count < tuple.Items.Count
                        ? $"ValueError: not enough values to unpack (expected {tuple.Items.Count}, got {items.Count})"
                        : $"ValueError: too many values to unpack (expected {tuple.Items.Count})");
                for (int i = 0; i < items.Count; i++) Assign(tuple.Items[i], items[i], scope);
                return;
            case AttributeExpr { Target: NameExpr owner } attribute:
                if (!scope.TryGet(owner.Name, out var ns) || ns is not Namespace namespaceObject)
                    throw new JinjaRuntimeError("cannot assign attribute on non-namespace object");
                namespaceObject.Attributes[attribute.Name] = value;
                return;
            default:
                throw new InvalidOperationException("The parser only produces names, tuples and namespace attributes as targets.");
        }
    }

    // ---- Expressions ----

    private object? Eval(Expr expr, Scope scope)
    {
        EnsureStack();
        try
        {
            return EvalCore(expr, scope);
        }
        catch (JinjaRuntimeError e) when (e.Position < 0)
        {
            e.Position = expr.Position;
            throw;
        }
    }

    private object? EvalCore(Expr expr, Scope scope)
    {
        switch (expr)
        {
            case ConstExpr c:
                return c.Value;
            case NameExpr name:
                return scope.TryGet(name.Name, out var value) ? value : Global(name.Name) ?? Undefined.Named(name.Name);
            case ListExpr list:
                return new JinjaSequence(list.Items.Select(i => Eval(i, scope)).ToList());
            case TupleExpr tuple:
                return new JinjaSequence(tuple.Items.Select(i => Eval(i, scope)).ToList(), SequenceKind.Tuple);
            case DictExpr dict:
                var result = new JinjaDict();
                foreach (var (k, v) in dict.Pairs)
                {
                    var key = Eval(k, scope);
                    if (key is JinjaDict or JinjaSequence { Kind: not SequenceKind.Tuple } or Undefined)
                        throw new JinjaRuntimeError($"TypeError: unhashable type: '{PythonValue.TypeName(key)}'");
                    result.Set(key, Eval(v, scope));
                }
                return result;
            case AttributeExpr attribute:
                return GetAttribute(Eval(attribute.Target, scope), attribute.Name);
            case ItemExpr item:
                var target = Eval(item.Target, scope);
                return item.Index is SliceExpr slice ? Slice(target, slice, scope) : GetItem(target, Eval(item.Index, scope));
            case CallExpr call:
                return Call(Eval(call.Callee, scope), EvalArguments(call.Arguments, scope));
            case FilterExpr filter:
                return ApplyFilter(filter, null, scope);
            case TestExpr test:
                return JinjaFilters.Test(test.Name, Eval(test.Value, scope), EvalArguments(test.Arguments, scope));
            case UnaryExpr unary:
                var operand = Eval(unary.Operand, scope);
                return unary.Operator == "not" ? !PythonValue.IsTrue(operand) : PythonOperators.Unary(unary.Operator, operand);
            case BinaryExpr { Operator: "and" } and:
                var left = Eval(and.Left, scope);
                return PythonValue.IsTrue(left) ? Eval(and.Right, scope) : left;
            case BinaryExpr { Operator: "or" } or:
                var first = Eval(or.Left, scope);
                return PythonValue.IsTrue(first) ? first : Eval(or.Right, scope);
            case BinaryExpr binary:
                return PythonOperators.Binary(binary.Operator, Eval(binary.Left, scope), Eval(binary.Right, scope), _options.MaxOutputLength);
            case ConcatExpr concat:
                return PythonValue.Join(concat.Items.Select(i => Eval(i, scope)), "", _options.MaxOutputLength);
            case CompareExpr compare:
                return EvalCompare(compare, scope);
            case ConditionalExpr conditional:
                if (PythonValue.IsTrue(Eval(conditional.Test, scope))) return Eval(conditional.Then, scope);
                return conditional.Else is null
                    ? new Undefined("the inline if-expression evaluated to false and no else section was defined.")
                    : Eval(conditional.Else, scope);
            default:
                throw new InvalidOperationException($"Unknown expression {expr.GetType().Name}.");
        }
    }

    private bool EvalCompare(CompareExpr compare, Scope scope)
    {
        var left = Eval(compare.First, scope);
        foreach (var (op, operand) in compare.Rest)
        {
            var right = Eval(operand, scope);
            if (!PythonOperators.Compare(op, left, right)) return false;
            left = right;
        }
        return true;
    }

    /// <summary>Applies a filter chain; <paramref name="blockOutput"/> is the input where the innermost filter has no
    /// value expression (filter blocks, block set).</summary>
    private object? ApplyFilter(FilterExpr filter, object? blockOutput, Scope scope)
    {
        object? value = filter.Value switch
        {
            null => blockOutput,
            FilterExpr inner => ApplyFilter(inner, blockOutput, scope),
            var e => Eval(e, scope),
        };
        try
        {
            return JinjaFilters.Apply(this, filter.Name, value, EvalArguments(filter.Arguments, scope));
        }
        catch (JinjaRuntimeError e) when (e.Position < 0)
        {
            e.Position = filter.Position;
            throw;
        }
    }

    private Arguments EvalArguments(CallArguments arguments, Scope scope)
    {
        var positional = arguments.Positional.Select(a => Eval(a, scope)).ToList();
        if (arguments.Star is not null) positional.AddRange(PythonValue.Iterate(Eval(arguments.Star, scope)));
        var named = arguments.Named.Select(n => new KeyValuePair<string, object?>(n.Name, Eval(n.Value, scope))).ToList();
        if (arguments.DoubleStar is not null)
        {
            if (Eval(arguments.DoubleStar, scope) is not JinjaDict kwargs)
                throw new JinjaRuntimeError("TypeError: argument after ** must be a mapping");
            foreach (var (key, value) in kwargs.Entries)
                named.Add(new(key as string ?? throw new JinjaRuntimeError("TypeError: keywords must be strings"), value));
        }
        return new Arguments(positional, named);
    }

    private object? Call(object? callee, Arguments arguments)
    {
        return callee switch
        {
            JinjaCallable callable => callable.Invoke(this, arguments),
            Undefined u => throw u.Fail(),
            _ => throw new JinjaRuntimeError($"TypeError: '{PythonValue.TypeName(callee)}' object is not callable"),
        };
    }

    /// <summary><c>obj.name</c>: jinja2 looks for an attribute (methods) first, then an item.</summary>
    public static object? GetAttribute(object? target, string name)
    {
        switch (target)
        {
            case Undefined u:
                throw u.Fail();
            case JinjaDict dict:
                if (JinjaMethods.IsAttribute(dict, name)) return new BoundMethod(dict, name);
                return dict.TryGetValue(name, out var value) ? value : Undefined.Attribute(target, name);
            case Namespace ns:
                return ns.Attributes.TryGetValue(name, out var attribute) ? attribute : Undefined.Attribute(target, name);
            case LoopContext loop:
                return loop.Get(name);
            default:
                return JinjaMethods.IsAttribute(target, name) ? new BoundMethod(target, name) : Undefined.Attribute(target, name);
        }
    }

    /// <summary><c>obj[key]</c>: jinja2 looks for an item first, then (for string keys) an attribute.</summary>
    public static object? GetItem(object? target, object? key)
    {
        switch (target)
        {
            case Undefined u:
                throw u.Fail();
            case JinjaDict dict when dict.TryGetValue(key, out var value):
                return value;
            case JinjaSequence { IsSubscriptable: true } sequence when PythonValue.AsLong(key) is long index:
                if (index < 0) index += sequence.Count;
                return index >= 0 && index < sequence.Count ? sequence[(int)index] : Undefined.Attribute(target, key);
            case string s when PythonValue.AsLong(key) is long index:
                return PythonText.At(s, index) ?? (object)Undefined.Attribute(target, key);
            case Namespace or LoopContext when key is string name:
                return GetAttribute(target, name);
        }
        return key is string attributeName ? GetAttribute(target, attributeName) : Undefined.Attribute(target, key);
    }

    private object? Slice(object? target, SliceExpr slice, Scope scope)
    {
        long? Bound(Expr? e)
        {
            if (e is null) return null;
            var v = Eval(e, scope);
            return v is null ? null : PythonValue.AsLong(v) ?? throw new JinjaRuntimeError("TypeError: slice indices must be integers or None");
        }
        long? start = Bound(slice.Start), stop = Bound(slice.Stop), step = Bound(slice.Step);
        if (target is JinjaSequence { Kind: SequenceKind.Range } range)
        {
            // A slice of a range is a range: range(r.start + i*r.step, r.start + j*r.step, r.step*k) for the bounds i:j:k.
            var (i, j, k) = PythonText.SliceBounds(range.Count, start, stop, step);
            var (rStart, _, rStep) = range.RangeArguments;
            return new JinjaSequence(PythonText.SliceIndices(range.Count, start, stop, step).Select(x => range[x]).ToList(), SequenceKind.Range)
            {
                RangeArguments = (rStart + i * rStep, rStart + j * rStep, rStep * k),
            };
        }
        return target switch
        {
            string s => PythonText.Slice(s, start, stop, step),
            JinjaSequence { IsSubscriptable: true } sequence => new JinjaSequence(
                PythonText.SliceIndices(sequence.Count, start, stop, step).Select(i => sequence[i]).ToList(),
                sequence.Kind),
            Undefined u => throw u.Fail(),
            _ => new Undefined($"{PythonValue.TypeName(target)} object has no element slice"),
        };
    }

    // ---- Globals and macros ----

    private object? Global(string name) => name switch
    {
        "range" => new GlobalFunction("range", Range),
        "dict" => new GlobalFunction("dict", a =>
        {
            if (a.Positional.Count > 0) throw new JinjaRuntimeError("dict() with positional arguments is not supported");
            return PythonValue.DictOf(a.Named);
        }),
        "namespace" => new GlobalFunction("namespace", a =>
        {
            var ns = new Namespace();
            foreach (var p in a.Positional)
            {
                if (p is not JinjaDict initial) throw new JinjaRuntimeError("TypeError: namespace() takes a mapping as positional argument");
                foreach (var (key, value) in initial.Entries) ns.Attributes[PythonValue.Str(key)] = value;
            }
            foreach (var (key, value) in a.Named) ns.Attributes[key] = value;
            return ns;
        }),
        "raise_exception" => new GlobalFunction("raise_exception", a =>
            throw new JinjaRuntimeError(PythonValue.Str(a.Bind("raise_exception", 1, "message")[0]), JinjaErrorKind.Raised)),
        "strftime_now" => new GlobalFunction("strftime_now", a =>
            JinjaMethods.Strftime(_now(), a.Bind("strftime_now", 1, "format")[0] as string ?? throw new JinjaRuntimeError("TypeError: strftime_now() argument must be a string"))),
        _ => null,
    };

    private static JinjaSequence Range(Arguments a)
    {
        if (a.Named.Count > 0) throw new JinjaRuntimeError("TypeError: range() takes no keyword arguments");
        var numbers = a.Positional.Select(p => PythonValue.AsLong(p) ?? throw new JinjaRuntimeError($"TypeError: '{PythonValue.TypeName(p)}' object cannot be interpreted as an integer")).ToArray();
        var (start, stop, step) = numbers.Length switch
        {
            1 => (0L, numbers[0], 1L),
            2 => (numbers[0], numbers[1], 1L),
            3 => (numbers[0], numbers[1], numbers[2]),
            _ => throw new JinjaRuntimeError($"TypeError: range expected 1 to 3 arguments, got {numbers.Length}"),
        };
        if (step == 0) throw new JinjaRuntimeError("ValueError: range() arg 3 must not be zero");
        var items = new List<object?>();
        for (long i = start; step > 0 ? i < stop : i > stop; i += step)
        {
            if (items.Count >= MaxRange) throw new JinjaRuntimeError($"Range too big. The sandbox blocks ranges larger than MAX_RANGE ({MaxRange}).", JinjaErrorKind.Limit);
            items.Add(i);
        }
        return new JinjaSequence(items, SequenceKind.Range) { RangeArguments = (start, stop, step) };
    }

    /// <summary>A template macro: its body renders into a string in a scope whose parent is where it was defined.</summary>
    internal sealed class Macro(MacroDefinition definition, Scope closure) : JinjaCallable(definition.Name)
    {
        public override object? Invoke(JinjaEvaluator evaluator, Arguments arguments) => evaluator.CallMacro(definition, closure, arguments);
    }

    private string CallMacro(MacroDefinition macro, Scope closure, Arguments arguments)
    {
        Step();
        if (_callDepth >= _options.MaxCallDepth)
            throw new JinjaRuntimeError($"macro calls nest deeper than {_options.MaxCallDepth}", JinjaErrorKind.Limit);
        var scope = Frame(closure, macro.Body);
        var parameters = macro.Parameters;
        if (arguments.Positional.Count > parameters.Count && !macro.CatchesVarargs)
            throw new JinjaRuntimeError($"TypeError: macro '{macro.Name}' takes not more than {parameters.Count} argument(s)");
        var given = new object?[parameters.Count];
        Array.Fill(given, Arguments.Missing);
        for (int i = 0; i < Math.Min(parameters.Count, arguments.Positional.Count); i++) given[i] = arguments.Positional[i];
        var kwargs = new JinjaDict();
        object? caller = new Undefined("No caller defined");
        foreach (var (name, value) in arguments.Named)
        {
            int i = parameters.ToList().IndexOf(name);
            if (i >= 0)
            {
                if (given[i] != Arguments.Missing) throw new JinjaRuntimeError($"TypeError: macro '{macro.Name}' got multiple values for argument '{name}'");
                given[i] = value;
            }
            else if (name == "caller" && macro.CatchesCaller) caller = value;
            else if (macro.CatchesKwargs) kwargs.Set(name, value);
            else if (name == "caller") throw new JinjaRuntimeError($"TypeError: macro '{macro.Name}' was invoked with two values for the special caller argument");
            else throw new JinjaRuntimeError($"TypeError: macro '{macro.Name}' takes no keyword argument '{name}'");
        }
        for (int i = 0; i < parameters.Count; i++)
        {
            // Defaults are evaluated at call time and may refer to earlier parameters.
            var value = given[i] != Arguments.Missing ? given[i]
                : macro.Defaults[i] is { } d ? Eval(d, scope)
                : new Undefined($"parameter '{parameters[i]}' was not provided");
            scope.Set(parameters[i], value);
        }
        scope.Set("varargs", new JinjaSequence(arguments.Positional.Skip(parameters.Count).ToList(), SequenceKind.Tuple));
        scope.Set("kwargs", kwargs);
        if (macro.CatchesCaller) scope.Set("caller", caller);
        _callDepth++;
        try
        {
            return Capture(macro.Body, scope).Text;
        }
        finally
        {
            _callDepth--;
        }
    }
}
