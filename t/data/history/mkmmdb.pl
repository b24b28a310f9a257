#!/usr/bin/perl
# mkmmdb.pl - build the small MMDB files t/geoip.sh looks up (test-time only)
#   mkmmdb.pl country OUT.mmdb   GeoLite2-Country layout
#   mkmmdb.pl asn OUT.mmdb       GeoLite2-ASN layout
use strict;
use warnings;
use MaxMind::DB::Writer::Tree;

my ($kind, $out) = @ARGV;
die "usage: $0 country|asn OUT\n" unless $kind && $out;
my %types = (
	country => 'map', registered_country => 'map', iso_code => 'utf8_string',
	autonomous_system_number => 'uint32',
	autonomous_system_organization => 'utf8_string',
);
my $tree = MaxMind::DB::Writer::Tree->new(
	ip_version => 6,
	record_size => 24,
	database_type => $kind eq 'asn' ? 'GeoLite2-ASN' : 'GeoLite2-Country',
	languages => ['en'],
	description => { en => "authmilter test $kind database" },
	remove_reserved_networks => 0,
	alias_ipv6_to_ipv4 => 1,
	map_key_type_callback => sub { $types{ $_[0] } },
);
if ($kind eq 'asn') {
	$tree->insert_network('192.0.2.0/24', { autonomous_system_number => 64496,
	    autonomous_system_organization => 'Example Net "Test" AS' });
	$tree->insert_network('2001:db8::/32', { autonomous_system_number => 4200000000,
	    autonomous_system_organization => 'Doc Six' });
} else {
	$tree->insert_network('192.0.2.0/24', { country => { iso_code => 'DE' } });
	$tree->insert_network('198.51.100.0/24', { registered_country => { iso_code => 'FR' } });
	$tree->insert_network('2001:db8::/32', { country => { iso_code => 'JP' } });
}
open(my $fh, '>:raw', $out) or die "$out: $!\n";
$tree->write_tree($fh);
close($fh) or die "$out: $!\n";
