/**
 * A centre moving in, as the CSV files POST /api/import takes: `n` residents (each with a phone
 * and a family contact) spread over 4 streets, 10 communities and 40 grids, and 3 devices each
 * (pendant, motion sensor, door sensor) without ids, so the service makes them.
 */
export function centreFiles(n: number, prefix = 'K'): { residents: string; devices: string } {
  const residents = ['ref,name,grid,address,phone,notes,access,contact1_name,contact1_phone,contact1_relation'];
  const devices = ['id,kind,resident_ref'];
  for (let i = 0; i < n; i++) {
    const grid = `Big District/Street ${i % 4}/Community ${i % 10}/Grid ${i % 40}`;
    const phone = String(i).padStart(8, '0');
    residents.push(`${prefix}-${i},Resident ${i},${grid},"${i} Long Road, Flat ${i % 7}",+86138${phone},"walks with a stick\nkey safe ${i}",code ${i},Child ${i},+86139${phone},son`);
    devices.push(`,pendant,${prefix}-${i}`, `,motion_sensor,${prefix}-${i}`, `,door_sensor,${prefix}-${i}`);
  }
  return { residents: residents.join('\r\n'), devices: devices.join('\r\n') };
}
