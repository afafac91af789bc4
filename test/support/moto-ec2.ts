/**
 * moto's EC2 through its Query API (no EC2 SDK client in the project): moto's ECS checks subnets and security
 * groups against its EC2, so suites that create services on moto make a real VPC, subnet and group first.
 */

/** Calls one EC2 Query action on moto and returns the text of the first `<tag>` in the answer. */
export async function motoEc2(
  endpoint: string,
  params: Record<string, string>,
  tag: string,
): Promise<string> {
  const res = await fetch(endpoint, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization:
        "AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0",
    },
    body: new URLSearchParams({ Version: "2016-11-15", ...params }).toString(),
  });
  const match = new RegExp(`<${tag}>([^<]+)</${tag}>`).exec(await res.text());
  if (match?.[1] === undefined) throw new Error(`moto EC2 ${params.Action} gave no ${tag}`);
  return match[1];
}

/** A VPC with one subnet and one security group on moto. */
export async function createMotoNetwork(
  endpoint: string,
  name: string,
  cidrPrefix = "10.0",
): Promise<{ vpc: string; subnet: string; securityGroup: string }> {
  const vpc = await motoEc2(endpoint, { Action: "CreateVpc", CidrBlock: `${cidrPrefix}.0.0/16` }, "vpcId");
  const subnet = await motoEc2(
    endpoint,
    { Action: "CreateSubnet", VpcId: vpc, CidrBlock: `${cidrPrefix}.1.0/24` },
    "subnetId",
  );
  const securityGroup = await motoEc2(
    endpoint,
    { Action: "CreateSecurityGroup", GroupName: name, GroupDescription: name, VpcId: vpc },
    "groupId",
  );
  return { vpc, subnet, securityGroup };
}
