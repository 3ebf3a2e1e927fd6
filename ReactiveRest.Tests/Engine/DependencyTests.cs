using System.Reflection;
using System.Reflection.Emit;
using System.Xml.Linq;
using ReactiveRest.Engine.Http;
using ReactiveRest.Engine.Observers;
using ReactiveRest.Engine.Querying;
using ReactiveRest.Engine.Resources;

namespace ReactiveRest.Tests.Engine;

/// <summary>
/// The engine's folders (namespaces, across its libraries) and the repository's projects form layers: nothing depends
/// on something that depends back on it. Dependencies are read from the compiled assemblies, method bodies included,
/// so a type named only inside a lambda or an async method still counts.
/// </summary>
public sealed class DependencyTests
{
    // Core, Redis, EntityFrameworkCore, AspNetCore: each references only those before it.
    private static readonly Assembly[] EngineAssemblies =
        [typeof(ListQuery).Assembly, typeof(ObserverStore).Assembly, typeof(ReactiveResource<>).Assembly, typeof(ObserveService).Assembly];

    [Fact]
    public void The_core_references_no_web_framework_database_or_redis_client()
    {
        string[] forbidden = ["Microsoft.AspNetCore", "Microsoft.EntityFrameworkCore", "Npgsql", "StackExchange.Redis"];

        var references = EngineAssemblies[0].GetReferencedAssemblies().Select(reference => reference.Name!);

        Assert.DoesNotContain(references, name => forbidden.Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal)));
    }

    [Fact]
    public void Only_the_aspnetcore_library_references_aspnetcore()
    {
        // Core, Redis and EntityFrameworkCore run in any host: a worker, a console tool, a test.
        foreach (var assembly in EngineAssemblies[..^1])
        {
            var references = assembly.GetReferencedAssemblies().Select(reference => reference.Name!);
            Assert.DoesNotContain(references, name => name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Each_engine_library_references_only_the_libraries_below_it()
    {
        for (var index = 0; index < EngineAssemblies.Length; index++)
        {
            var engineReferences = EngineAssemblies[index].GetReferencedAssemblies()
                .Select(reference => reference.Name)
                .Where(name => EngineAssemblies.Any(engine => engine.GetName().Name == name));
            Assert.All(engineReferences, name =>
                Assert.Contains(name, EngineAssemblies[..index].Select(lower => lower.GetName().Name)));
        }
    }

    [Fact]
    public void Engine_folders_depend_on_each_other_without_cycles()
    {
        var graph = TypeDependencies.NamespaceGraph(EngineAssemblies);

        Assert.True(graph.Edges.Count > 0, "no dependency between the engine's folders was found: the reader is broken");
        var cycles = graph.Cycles();
        Assert.True(cycles.Count == 0, "folders that depend on each other:\n" + string.Join("\n", cycles));
    }

    [Fact]
    public void Project_references_form_no_cycle()
    {
        var graph = ProjectGraph.Read(RepositoryRoot());

        Assert.Contains(graph.Edges.Keys, edge => edge.From == "ReactiveRest.Tests");
        var cycles = graph.Cycles();
        Assert.True(cycles.Count == 0, "projects that reference each other:\n" + string.Join("\n", cycles));
    }

    [Fact]
    public void The_reader_sees_a_type_named_only_in_a_method_body()
    {
        var graph = TypeDependencies.NamespaceGraph([typeof(DependencyTests).Assembly]);

        Assert.Contains(graph.Edges.Keys, edge =>
            edge.From == typeof(Fixtures.Upper.UsesInBody).Namespace && edge.To == typeof(Fixtures.Lower.Target).Namespace);
        Assert.Contains(graph.Cycles(), cycle =>
            cycle.Contains(typeof(Fixtures.Upper.UsesInBody).Namespace!) && cycle.Contains(typeof(Fixtures.Lower.Target).Namespace!));
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ReactiveRest.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("ReactiveRest.sln was not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>A directed graph whose edges remember why they exist (which type uses which).</summary>
internal sealed class DependencyGraph
{
    // The few reasons a failure names are enough to find the type to move.
    private const int ReasonsShown = 3;

    public Dictionary<(string From, string To), SortedSet<string>> Edges { get; } = [];

    public void Add(string from, string to, string why)
    {
        if (from == to)
        {
            return;
        }

        if (!Edges.TryGetValue((from, to), out var reasons))
        {
            Edges[(from, to)] = reasons = new SortedSet<string>(StringComparer.Ordinal);
        }

        reasons.Add(why);
    }

    /// <summary>Each strongly connected component of more than one node, with the edges inside it and their reasons.</summary>
    public List<string> Cycles()
    {
        var nodes = Edges.Keys.SelectMany(edge => new[] { edge.From, edge.To }).Distinct().Order(StringComparer.Ordinal).ToList();
        var next = nodes.ToDictionary(node => node, node => Edges.Keys.Where(edge => edge.From == node).Select(edge => edge.To).ToList());
        var reaches = nodes.ToDictionary(node => node, node => Reachable(node, next));
        var components = nodes
            .Select(node => nodes.Where(other => reaches[node].Contains(other) && reaches[other].Contains(node)).ToList())
            .Where(component => component.Count > 1)
            .DistinctBy(component => string.Join(",", component));
        return components.Select(component => string.Join(" ↔ ", component) + ":\n" + string.Join("\n", Edges
                .Where(edge => component.Contains(edge.Key.From) && component.Contains(edge.Key.To))
                .OrderBy(edge => edge.Key.From, StringComparer.Ordinal).ThenBy(edge => edge.Key.To, StringComparer.Ordinal)
                .Select(edge => $"  {edge.Key.From} → {edge.Key.To}: {Reasons(edge.Value)}")))
            .ToList();
    }

    private static string Reasons(SortedSet<string> reasons) =>
        string.Join("; ", reasons.Take(ReasonsShown)) + (reasons.Count > ReasonsShown ? $" and {reasons.Count - ReasonsShown} more" : "");

    private static HashSet<string> Reachable(string start, Dictionary<string, List<string>> next)
    {
        var seen = new HashSet<string>();
        var pending = new Stack<string>(next[start]);
        while (pending.TryPop(out var node))
        {
            if (seen.Add(node))
            {
                foreach (var target in next[node])
                {
                    pending.Push(target);
                }
            }
        }

        return seen;
    }
}

internal static class ProjectGraph
{
    public static DependencyGraph Read(string root)
    {
        var graph = new DependencyGraph();
        var projects = Directory.EnumerateFiles(root, "*.csproj", SearchOption.AllDirectories)
            .Where(path => !path.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj" or "node_modules"));
        foreach (var project in projects)
        {
            var name = Path.GetFileNameWithoutExtension(project);
            foreach (var reference in XDocument.Load(project).Descendants("ProjectReference"))
            {
                var include = reference.Attribute("Include")!.Value.Replace('\\', Path.DirectorySeparatorChar);
                graph.Add(name, Path.GetFileNameWithoutExtension(include), Path.GetRelativePath(root, project));
            }
        }

        return graph;
    }
}

/// <summary>
/// Which namespace uses which, read by reflection: base types, interfaces, attributes, fields, properties, events,
/// signatures, generic constraints, locals and every type or member token in the IL of a method body. A nested type
/// (a closure, an async state machine) counts for the namespace of the type it is declared in.
/// </summary>
internal static class TypeDependencies
{
    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(field => (OpCode)field.GetValue(null)!)
        .ToDictionary(code => code.Value);

    public static DependencyGraph NamespaceGraph(IReadOnlyCollection<Assembly> assemblies)
    {
        var graph = new DependencyGraph();
        foreach (var type in assemblies.SelectMany(assembly => assembly.GetTypes()))
        {
            // Generated helpers (System.Text.RegularExpressions.Generated) live in the assemblies but are no folder of them.
            var from = type.Namespace;
            if (from is null || !from.StartsWith("ReactiveRest.", StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var used in UsedTypes(type))
            {
                if (used.Namespace is { } to && to.StartsWith("ReactiveRest.", StringComparison.Ordinal) && assemblies.Contains(used.Assembly))
                {
                    graph.Add(from, to, $"{Name(type)} uses {Name(used)}");
                }
            }
        }

        return graph;
    }

    private static string Name(Type type) => type.DeclaringType is { } outer ? Name(outer) : type.Name;

    private static IEnumerable<Type> UsedTypes(Type type)
    {
        var found = new HashSet<Type>();
        void Add(Type? used)
        {
            if (used is null || used.IsGenericParameter)
            {
                return;
            }

            if (used.HasElementType)
            {
                Add(used.GetElementType());
                return;
            }

            if (used.IsGenericType && !used.IsGenericTypeDefinition)
            {
                foreach (var argument in used.GetGenericArguments())
                {
                    Add(argument);
                }

                used = used.GetGenericTypeDefinition();
            }

            found.Add(used);
        }

        void AddMember(MemberInfo? member)
        {
            switch (member)
            {
                case Type used:
                    Add(used);
                    break;
                case MethodBase method:
                    Add(method.DeclaringType);
                    if (method is MethodInfo info)
                    {
                        Add(info.ReturnType);
                        foreach (var argument in info.IsGenericMethod ? info.GetGenericArguments() : [])
                        {
                            Add(argument);
                        }
                    }

                    foreach (var parameter in method.GetParameters())
                    {
                        Add(parameter.ParameterType);
                    }

                    break;
                case FieldInfo field:
                    Add(field.DeclaringType);
                    Add(field.FieldType);
                    break;
            }
        }

        void AddAttributes(IEnumerable<CustomAttributeData> attributes)
        {
            foreach (var attribute in attributes)
            {
                Add(attribute.AttributeType);
                foreach (var argument in attribute.ConstructorArguments.Concat(attribute.NamedArguments.Select(named => named.TypedValue)))
                {
                    Add(argument.ArgumentType);
                    if (argument.Value is Type typeArgument)
                    {
                        Add(typeArgument);
                    }
                }
            }
        }

        void AddGenericParameters(IEnumerable<Type> parameters)
        {
            foreach (var constraint in parameters.Where(parameter => parameter.IsGenericParameter).SelectMany(parameter => parameter.GetGenericParameterConstraints()))
            {
                Add(constraint);
            }
        }

        Add(type.BaseType);
        foreach (var implemented in type.GetInterfaces())
        {
            Add(implemented);
        }

        AddAttributes(type.CustomAttributes);
        AddGenericParameters(type.GetGenericArguments());
        foreach (var field in type.GetFields(Declared))
        {
            Add(field.FieldType);
            AddAttributes(field.CustomAttributes);
        }
        foreach (var property in type.GetProperties(Declared))
        {
            Add(property.PropertyType);
            AddAttributes(property.CustomAttributes);
        }
        foreach (var @event in type.GetEvents(Declared))
        {
            Add(@event.EventHandlerType);
        }

        foreach (var method in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
        {
            AddAttributes(method.CustomAttributes);
            if (method is MethodInfo info)
            {
                Add(info.ReturnType);
                AddAttributes(info.ReturnParameter.CustomAttributes);
                AddGenericParameters(info.GetGenericArguments());
            }
            foreach (var parameter in method.GetParameters())
            {
                Add(parameter.ParameterType);
                AddAttributes(parameter.CustomAttributes);
            }
            var body = method.GetMethodBody();
            if (body is null)
            {
                continue;
            }

            foreach (var local in body.LocalVariables)
            {
                Add(local.LocalType);
            }

            foreach (var clause in body.ExceptionHandlingClauses.Where(clause => clause.Flags == ExceptionHandlingClauseOptions.Clause))
            {
                Add(clause.CatchType);
            }

            foreach (var token in MemberTokens(body.GetILAsByteArray() ?? []))
            {
                var typeArguments = type.IsGenericType ? type.GetGenericArguments() : null;
                var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
                AddMember(type.Module.ResolveMember(token, typeArguments, methodArguments));
            }
        }

        return found;
    }

    /// <summary>The metadata tokens of the type, method and field operands in an IL stream.</summary>
    private static IEnumerable<int> MemberTokens(byte[] il)
    {
        var position = 0;
        while (position < il.Length)
        {
            short value = il[position++];
            if (value == 0xFE)
            {
                value = (short)(0xFE00 | il[position++]);
            }

            var code = OpCodesByValue[value];
            switch (code.OperandType)
            {
                case OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok:
                    yield return BitConverter.ToInt32(il, position);
                    position += 4;
                    break;
                case OperandType.InlineSwitch:
                    position += 4 + 4 * BitConverter.ToInt32(il, position);
                    break;
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    position += 1;
                    break;
                case OperandType.InlineVar:
                    position += 2;
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    position += 8;
                    break;
                default:
                    position += 4;
                    break;
            }
        }
    }
}
