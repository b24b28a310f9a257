#!/usr/bin/perl
# maildkim_verify.pl PORT MESSAGE... - Mail::DKIM (libmail-dkim-perl) verdict
# on every DKIM-Signature of each MESSAGE, keys from the test DNS server on
# 127.0.0.1:PORT; one line per signature, top first:
# "MESSAGE RESULT a=ALG d=D s=S"
use strict;
use warnings;
use Mail::DKIM::Verifier;
use Net::DNS;

my ($port, @files) = @ARGV;
my $res = Net::DNS::Resolver->new(nameservers => ['127.0.0.1'], port => $port,
    recurse => 1, udp_timeout => 3, tcp_timeout => 3, retry => 1);
Mail::DKIM::DNS::resolver($res);
for my $file (@files) {
	open(my $fh, '<', $file) or die "$file: $!";
	binmode $fh;
	my $v = Mail::DKIM::Verifier->new();
	$v->load($fh);
	close $fh;
	for my $sig ($v->signatures) {
		printf "%s %s a=%s d=%s s=%s\n", $file, $sig->result, $sig->algorithm,
		    $sig->domain, $sig->selector;
	}
}
