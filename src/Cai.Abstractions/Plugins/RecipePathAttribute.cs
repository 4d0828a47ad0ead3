namespace Cai.Abstractions.Plugins;

/// <summary>
/// Marks a string option as a file or directory path: a relative value is resolved against the directory of the
/// recipe file that wrote it, so the plugin always receives an absolute path.
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = true)]
public sealed class RecipePathAttribute : Attribute;
