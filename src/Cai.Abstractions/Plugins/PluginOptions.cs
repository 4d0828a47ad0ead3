namespace Cai.Abstractions.Plugins;

/// <summary>
/// Base of a plugin's options record. Declare a <c>sealed record</c> deriving from it with <c>{ get; init; }</c>
/// properties whose initialisers are the defaults and whose XML doc comments describe them; take it as the second
/// constructor parameter of the plugin. Recipe keys are the snake_case property names (<c>MaxNewTokens</c> is
/// <c>max_new_tokens</c>); unknown keys and wrong types are errors. The same record feeds <c>cai schema</c>.
/// </summary>
public abstract record PluginOptions;
