using System.Xml.Linq;
using Dapper;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace Homeroom.Storage;

/// <summary>
/// Keeps the data-protection key ring (which signs cookies and bearer tokens) in the database, so tokens
/// survive a restart and every server behind a load balancer accepts every other server's tokens.
/// </summary>
public sealed class DataProtectionKeyStore(Database database) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var connection = database.Open();
        return connection.Query<string>("SELECT xml FROM data_protection_keys").Select(XElement.Parse).ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        ArgumentNullException.ThrowIfNull(element);
        using var connection = database.Open();
        connection.Execute(
            "INSERT INTO data_protection_keys (name, xml) VALUES (@name, @xml) ON CONFLICT (name) DO UPDATE SET xml = excluded.xml",
            new { name = friendlyName, xml = element.ToString(SaveOptions.DisableFormatting) });
    }
}
