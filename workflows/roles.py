"""The role codes of the product (a contract: scripts and integrators rely on them)."""
from __future__ import annotations

ROLES = {
    "specialist": "Chuyên viên Văn phòng (soạn thảo, theo dõi)",
    "office_leader": "Lãnh đạo Văn phòng (CVP/PCVP)",
    "leader": "Lãnh đạo UBND tỉnh (CT/PCT)",
    "clerk": "Văn thư",
    "official": "Cán bộ cơ quan, đơn vị",
    "agency_head": "Thủ trưởng cơ quan, đơn vị",
    "admin": "Quản trị quy trình",
    "auditor": "Kiểm tra, thanh tra (chỉ xem)",
}

#: Processes a role may start by hand (through the REST API); admins start any, the rest are called.
STARTS = {"specialist": frozenset({"directive"})}

#: Roles that see every directive of the province, whatever their agency.
PROVINCE_WIDE = frozenset({"admin", "auditor"})
