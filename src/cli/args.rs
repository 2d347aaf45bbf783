//! The command line's arguments: every command, option and help line, in Vietnamese. Formats
//! are enums, so an unknown value is a usage error on every command.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(
    name = "hoso",
    version,
    about = "Hồ sơ: văn bản và quy trình hành chính (HD 22/HD-BCA-V05, NĐ 30/2020/NĐ-CP)"
)]
pub struct Cli {
    /// Thư mục mẫu văn bản thay cho các mẫu có sẵn.
    #[arg(long, global = true, value_name = "THƯ_MỤC")]
    pub templates: Option<PathBuf>,
    /// Thư mục quy trình thay cho các quy trình có sẵn (kèm provinces/ và ho-so/lists.yaml).
    #[arg(long, global = true, value_name = "THƯ_MỤC")]
    pub workflows: Option<PathBuf>,
    /// Cơ sở dữ liệu hồ sơ: tệp SQLite (mặc định hoso.db) hoặc máy chủ PostgreSQL
    /// (postgres://người_dùng@máy:cổng/tên).
    #[arg(long, global = true, env = "HOSO_DB", value_name = "TỆP|URL")]
    pub db: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Chạy các hồ sơ mẫu qua quy trình trên một cơ sở dữ liệu mới trong THƯ_MỤC, ban hành
    /// văn bản, lập hồ sơ lưu trữ, rồi kết xuất mẫu của mọi loại văn bản.
    Demo {
        /// Thư mục kết quả: mới, rỗng, hoặc do demo tạo lần trước.
        #[arg(long, default_value = "demo-out", value_name = "THƯ_MỤC")]
        out: PathBuf,
        /// Thư mục dữ liệu mẫu (cases/, documents/) thay cho dữ liệu có sẵn.
        #[arg(long, value_name = "THƯ_MỤC")]
        samples: Option<PathBuf>,
    },
    /// Văn bản: mẫu, kết xuất, ban hành.
    #[command(subcommand)]
    Doc(DocCommand),
    /// Quy trình: kiểm tra và xem.
    #[command(subcommand)]
    Workflow(WorkflowCommand),
    /// Hồ sơ: mở, làm từng bước, xem tình trạng.
    #[command(subcommand)]
    Case(CaseCommand),
    /// Sổ đăng ký văn bản đi: lấy số, thu hồi số, xem sổ.
    #[command(subcommand)]
    Register(RegisterCommand),
    /// Lập hồ sơ lưu trữ (BagIt trong ZIP): văn bản đã ban hành, tệp đính kèm, dữ liệu hồ sơ,
    /// nhật ký, siêu dữ liệu và danh mục hồ sơ.
    Archive {
        /// Mã hồ sơ (C0001).
        case: String,
        /// Tệp ZIP sẽ ghi.
        #[arg(long, value_name = "TỆP")]
        out: PathBuf,
    },
    /// Lập hồ sơ lưu trữ cho mọi hồ sơ đã kết thúc (trong năm --nam, của đơn vị --don-vi):
    /// THƯ_MỤC/<hồ sơ>.zip, song song trên các nhân máy; một hồ sơ lỗi được nêu và không dừng
    /// các hồ sơ khác.
    ArchiveAll {
        /// Thư mục ghi (mới, rỗng, hoặc do lệnh này tạo trước đó).
        #[arg(long, value_name = "THƯ_MỤC")]
        out: PathBuf,
        /// Năm kết thúc hồ sơ.
        #[arg(long, value_name = "NĂM")]
        nam: Option<i32>,
        /// Chỉ hồ sơ của đơn vị này hoặc đơn vị trực thuộc.
        #[arg(long = "don-vi", value_name = "ĐƠN_VỊ")]
        agency: Option<String>,
        /// Số luồng song song; mặc định bằng số nhân máy.
        #[arg(long)]
        jobs: Option<usize>,
    },
    /// Kiểm tra tệp lưu trữ: mọi mã kiểm tra; thoát 1 nêu từng tệp thiếu, đổi, thừa; 3 khi
    /// toàn vẹn nhưng hồ sơ chưa đủ.
    Verify {
        /// Tệp ZIP lưu trữ.
        file: PathBuf,
    },
    /// Nhập một hồ sơ từ tệp lưu trữ vào cơ sở dữ liệu, sau khi kiểm tra.
    Import {
        /// Tệp ZIP lưu trữ.
        file: PathBuf,
        /// Mã hồ sơ trong tệp đã dùng ở đây cho một hồ sơ khác (nơi khác đánh số trùng): nhập
        /// dưới mã kế tiếp của cơ sở dữ liệu này.
        #[arg(long)]
        new_id: bool,
    },
    /// Cơ sở dữ liệu: kiểm tra toàn vẹn.
    #[command(subcommand)]
    Db(DbCommand),
    /// Báo cáo của tỉnh: số liệu cộng từ mọi hồ sơ theo kỳ và địa bàn — bảng thống kê, báo
    /// cáo tổng kết — ra XLSX, CSV, DOCX, PDF.
    #[command(subcommand)]
    Report(ReportCommand),
    /// Tỉnh mẫu: sinh dữ liệu một tỉnh (huyện, xã, mô hình, điển hình qua ba năm) vào cơ sở
    /// dữ liệu trống, để thử báo cáo và đo hiệu năng.
    #[command(subcommand)]
    Province(ProvinceCommand),
    /// Các bước đang mở có hạn, sớm nhất trước.
    Due {
        /// Chỉ các hạn đến hết ngày này (YYYY-MM-DD).
        #[arg(long, value_parser = parse_date, value_name = "NGÀY")]
        before: Option<NaiveDate>,
        /// Dạng in: văn bản, JSON, hoặc iCalendar cho ứng dụng lịch.
        #[arg(long, value_enum, default_value_t = DueFormat::Text)]
        format: DueFormat,
        /// Ngày xét hạn (YYYY-MM-DD): hạn trước ngày này là quá hạn; mặc định hôm nay.
        #[arg(long, value_parser = parse_date, value_name = "NGÀY")]
        at: Option<NaiveDate>,
        /// Với --format ics: nhắc trước bao nhiêu ngày làm việc (0: không nhắc).
        #[arg(long, default_value_t = 3, value_name = "SỐ_NGÀY")]
        remind: u32,
    },
    /// Chạy ứng dụng web cho cán bộ, lãnh đạo, văn thư, lưu trữ (dừng bằng Ctrl-C).
    Serve {
        /// Địa chỉ và cổng lắng nghe.
        #[arg(long, default_value = "127.0.0.1:8080", value_name = "ĐỊA_CHỈ:CỔNG")]
        listen: std::net::SocketAddr,
        /// Gieo các hồ sơ mẫu vào một cơ sở dữ liệu mới (mặc định trong thư mục tạm) và tạo
        /// một tài khoản thử cho mỗi vai trò; in địa chỉ, tên đăng nhập và mật khẩu.
        #[arg(long)]
        demo: bool,
        /// Máy chủ được truy cập qua HTTPS (sau reverse proxy): cookie chỉ gửi qua HTTPS.
        #[arg(long)]
        secure: bool,
        /// Tệp địa bàn của tỉnh cho trang Báo cáo (mỗi tỉnh một tệp; nhắc lại cho nhiều tệp).
        #[arg(long = "dia-ban", value_name = "TỆP")]
        dia_ban: Vec<PathBuf>,
    },
    /// Tài khoản của ứng dụng web.
    #[command(subcommand)]
    User(UserCommand),
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// Thêm tài khoản; mật khẩu đọc từ đầu vào chuẩn (một dòng).
    Add {
        /// Tên đăng nhập (a-z, 0-9, . _ -).
        login: String,
        /// Vai trò: can-bo, lanh-dao, van-thu, luu-tru, quan-tri.
        #[arg(long)]
        role: String,
        /// Cơ quan: tỉnh (kon-tum) hoặc xã dưới tỉnh (kon-tum/dak-mar); tw cho trung ương.
        #[arg(long)]
        agency: String,
        /// Họ tên.
        #[arg(long)]
        name: Option<String>,
        /// Đọc mật khẩu từ đầu vào chuẩn (mặc định; để tương thích với các kịch bản).
        #[arg(long)]
        password_stdin: bool,
    },
    /// Đặt mật khẩu mới (đọc từ đầu vào chuẩn); mọi phiên đăng nhập của tài khoản kết thúc.
    Passwd {
        login: String,
        /// Đọc mật khẩu từ đầu vào chuẩn (mặc định).
        #[arg(long)]
        password_stdin: bool,
    },
    /// Khóa tài khoản; mọi phiên đăng nhập của tài khoản kết thúc.
    Disable { login: String },
    /// Liệt kê tài khoản.
    List,
}

#[derive(Subcommand)]
pub enum DbCommand {
    /// Kiểm tra toàn bộ: cấu trúc SQLite (hoặc lược đồ và trigger PostgreSQL), khóa ngoại, và
    /// từng tệp đã lưu so với mã SHA-256 ghi khi lưu; thoát 5 nếu có chỗ hỏng.
    Check,
    /// Chép toàn bộ (hồ sơ, nhật ký, văn bản, tệp, sổ đăng ký, tài khoản) sang một cơ sở dữ
    /// liệu trống, rồi so hai bên: tệp SQLite ↔ postgres://…
    Copy {
        /// Nơi chép từ: tệp SQLite hoặc postgres://…
        #[arg(long, value_name = "NGUỒN")]
        from: PathBuf,
        /// Nơi chép đến (phải trống): tệp SQLite hoặc postgres://…
        #[arg(long, value_name = "ĐÍCH")]
        to: PathBuf,
    },
}

#[derive(Subcommand)]
pub enum ProvinceCommand {
    /// Sinh tỉnh mẫu vào cơ sở dữ liệu --db (phải chưa có hồ sơ nào) và ghi các tệp địa bàn
    /// (kon-tum.yaml, quang-ngai.yaml) vào THƯ_MỤC.
    Generate {
        /// Thư mục ghi tệp địa bàn: mới, rỗng, hoặc do lệnh này tạo lần trước.
        #[arg(long, value_name = "THƯ_MỤC")]
        out: PathBuf,
        /// Hạt giống: cùng hạt giống, cùng dữ liệu.
        #[arg(long, default_value_t = 2023)]
        seed: u64,
        /// Số mô hình (chưa kể điểm nhân rộng).
        #[arg(long, default_value_t = 300)]
        models: usize,
        /// Số điển hình tiên tiến.
        #[arg(long, default_value_t = 40)]
        dien_hinh: usize,
        /// Số xã mỗi huyện (10 huyện).
        #[arg(long, default_value_t = 10)]
        communes: usize,
        /// Soạn dự thảo văn bản (dữ liệu mẫu, chép vào THƯ_MỤC/mau) cho các hồ sơ mở trong kỳ
        /// này (2024, 2024-H1, 2024-01-01..2024-12-31); các bước khác chỉ ghi nhận.
        #[arg(long = "du-thao", value_name = "KỲ")]
        du_thao: Option<String>,
    },
}

#[derive(clap::Args)]
pub struct ReportArgs {
    /// Tỉnh (mã tỉnh trong tệp địa bàn): kon-tum, quang-ngai.
    #[arg(long)]
    pub province: String,
    /// Kỳ: 2023 (năm, 01/11/2022–31/10/2023), 2023-H1 (6 tháng đầu năm) hoặc
    /// 2023-01-01..2023-12-31.
    #[arg(long, value_name = "KỲ")]
    pub period: String,
    /// Tệp địa bàn (huyện, xã và ngày hiệu lực), một tệp mỗi tỉnh; nhắc lại cho nhiều tệp.
    #[arg(long = "dia-ban", value_name = "TỆP", required = true)]
    pub dia_ban: Vec<PathBuf>,
    /// Cấp của các dòng: huyen hoặc xa; mặc định huyện khi tỉnh còn cấp huyện vào cuối kỳ,
    /// xã sau 01/07/2025.
    #[arg(long, value_enum)]
    pub by: Option<ReportLevel>,
    /// Thư mục ghi kết quả: mới, rỗng, hoặc do lệnh báo cáo tạo lần trước.
    #[arg(long, value_name = "THƯ_MỤC")]
    pub out: PathBuf,
}

#[derive(Subcommand)]
pub enum ReportCommand {
    /// Bảng thống kê của kỳ: mô hình, điển hình theo địa bàn và tình trạng, xếp loại, chỉ
    /// tiêu của mẫu thống kê, báo cáo trễ hạn.
    ThongKe {
        #[command(flatten)]
        args: ReportArgs,
        #[arg(long, value_enum, value_delimiter = ',', default_value = "xlsx,csv")]
        format: Vec<ReportFormat>,
    },
    /// Báo cáo tổng kết của Ban Chỉ đạo tỉnh (mục I–IV, số liệu theo địa bàn ở chú thích,
    /// danh sách mô hình, biểu đồ) kèm bảng thống kê.
    TongKet(ReportDocArgs),
    /// Báo cáo của Công an tỉnh gửi Cục V05 (HD 22 mục VI: trước 20/5 và 20/11), kèm bảng
    /// thống kê.
    V05(ReportDocArgs),
}

/// A report document on the figures (`tong-ket`, `v05`) and its appendix.
#[derive(clap::Args)]
pub struct ReportDocArgs {
    #[command(flatten)]
    pub args: ReportArgs,
    /// Tệp dữ liệu của văn bản: cơ quan, người ký, các đoạn văn cán bộ viết quanh số liệu.
    #[arg(long, value_name = "TỆP")]
    pub data: PathBuf,
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "docx,pdf,xlsx"
    )]
    pub format: Vec<ReportFormat>,
    /// Lấy số cho báo cáo từ sổ đăng ký của cơ quan ban hành (văn thư ban hành); không
    /// có thì báo cáo và phụ lục là dự thảo.
    #[arg(long)]
    pub issue: bool,
    /// Ngày ban hành khi --issue (YYYY-MM-DD); mặc định hôm nay.
    #[arg(long, value_name = "NGÀY", requires = "issue")]
    pub at: Option<NaiveDate>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportLevel {
    Huyen,
    Xa,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Xlsx,
    Csv,
    Docx,
    Pdf,
    Json,
}

#[derive(Subcommand)]
pub enum CaseCommand {
    /// Mở hồ sơ; in mã hồ sơ.
    New {
        /// Quy trình (mo-hinh, dien-hinh, don-vi-dien-hinh).
        #[arg(long)]
        workflow: String,
        /// Tỉnh có tệp quy trình riêng (cơ quan, thời hạn, bước).
        #[arg(long)]
        province: Option<String>,
        /// YAML với các trường hồ sơ mà quy trình khai báo.
        #[arg(long, value_name = "TỆP")]
        data: PathBuf,
        /// Ngày mở (YYYY-MM-DD); mặc định hôm nay.
        #[arg(long, value_parser = parse_date, value_name = "NGÀY")]
        at: Option<NaiveDate>,
        /// Mở hồ sơ từ một bước quy trình cho phép (entry), không từ bước đầu: mô hình tự phát
        /// đang hoạt động.
        #[arg(long, value_name = "BƯỚC")]
        from_step: Option<String>,
    },
    /// Mọi hồ sơ.
    List {
        /// Dạng in (xlsx cần --out).
        #[arg(long, value_enum, default_value_t = CaseListFormat::Text)]
        format: CaseListFormat,
        /// Tệp ghi (với --format xlsx).
        #[arg(long, value_name = "TỆP")]
        out: Option<PathBuf>,
    },
    /// Các bước đã xong và đang mở, hạn, nhật ký và văn bản của một hồ sơ.
    Status {
        /// Mã hồ sơ.
        id: String,
        /// Dạng in.
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
        /// Ngày xét hạn (YYYY-MM-DD): hạn trước ngày này là quá hạn; mặc định hôm nay.
        #[arg(long, value_parser = parse_date, value_name = "NGÀY")]
        at: Option<NaiveDate>,
    },
    /// Thêm tệp của mình (tài liệu, sổ quỹ, bản quét) vào mục N của hồ sơ.
    Attach {
        /// Mã hồ sơ.
        id: String,
        /// Tệp đính kèm.
        file: PathBuf,
        /// Mục của danh mục hồ sơ.
        #[arg(long)]
        item: u32,
        /// Ngày thêm (YYYY-MM-DD); mặc định hôm nay.
        #[arg(long, value_parser = parse_date, value_name = "NGÀY")]
        at: Option<NaiveDate>,
    },
    /// Gỡ một tệp đính kèm khỏi hồ sơ: tệp bị xoá, nhật ký hồ sơ ghi tên, lý do và mã
    /// SHA-256 của tệp. Tệp của văn bản đã ban hành không gỡ được.
    Detach {
        /// Mã hồ sơ.
        id: String,
        /// Tên tệp trong hồ sơ, như lệnh attach in ra (attachments/12-so-quy.csv).
        name: String,
        /// Lý do gỡ tệp.
        #[arg(long)]
        reason: String,
        /// Ngày gỡ (YYYY-MM-DD); mặc định hôm nay.
        #[arg(long, value_parser = parse_date, value_name = "NGÀY")]
        at: Option<NaiveDate>,
    },
    /// Làm một bước: kiểm tra dữ liệu và điều kiện, ghi bước, mở bước tiếp theo và ghi dự
    /// thảo văn bản của bước vào THƯ_MỤC/<hồ sơ>/du-thao/.
    Advance {
        /// Mã hồ sơ.
        id: String,
        /// Mã bước (hoso case status liệt kê các bước đang mở).
        #[arg(long)]
        step: String,
        /// YAML với dữ liệu khai báo của bước (inputs trong quy trình: ngay_thanh_lap, xep_loai, …);
        /// chỉ những dữ liệu này vào hồ sơ.
        #[arg(long, value_name = "TỆP")]
        inputs: Option<PathBuf>,
        /// YAML với dữ liệu văn bản (issuer, signer, nội dung, …) cho mọi văn bản của bước.
        #[arg(long, value_name = "TỆP")]
        data: Option<PathBuf>,
        /// Dữ liệu riêng của một văn bản của bước: MẪU=TỆP (lặp lại cho từng văn bản).
        #[arg(long = "doc", value_parser = parse_doc, value_name = "MẪU=TỆP")]
        docs: Vec<(String, PathBuf)>,
        /// Ngày làm bước (YYYY-MM-DD); mặc định hôm nay.
        #[arg(long, value_parser = parse_date, value_name = "NGÀY")]
        at: Option<NaiveDate>,
        /// Thư mục ghi dự thảo: THƯ_MỤC/<hồ sơ>/du-thao/NN-<mẫu>.docx và .pdf.
        #[arg(long, default_value = "hoso-out", value_name = "THƯ_MỤC")]
        out: PathBuf,
        /// Xác nhận một ngày quá 30 ngày sau hôm nay.
        #[arg(long)]
        allow_future: bool,
    },
}

#[derive(Subcommand)]
pub enum RegisterCommand {
    /// Lấy số tiếp theo cho văn bản làm ngoài hoso (công văn viết tay); in số và ký hiệu.
    Take(TakeArgs),
    /// Mở sổ tại số cuối cùng đã cấp trước khi dùng hoso (cơ quan bắt đầu dùng giữa năm):
    /// ghi vào sổ, số tiếp theo là số sau nó. Chỉ mở được dãy số chưa có số nào.
    Open {
        /// Số cuối cùng đã cấp, ví dụ 245: số tiếp theo là 246.
        #[arg(long)]
        from: u32,
        #[command(flatten)]
        series: SeriesArgs,
    },
    /// Thu hồi một số: số vẫn ở trong sổ, được đánh dấu, không bao giờ cấp lại.
    Void {
        /// "05", hoặc đủ số và ký hiệu "05/QĐ-UBND" khi nhiều dãy có số 05.
        number: String,
        /// Tỉnh có tệp cơ quan.
        #[arg(long)]
        province: String,
        /// Mã cơ quan trong tệp tỉnh.
        #[arg(long)]
        issuer: String,
        /// Năm của số.
        #[arg(long)]
        year: Option<i32>,
        /// Số trong sổ văn bản mật (dãy số riêng của văn bản mật).
        #[arg(long)]
        secret: bool,
        /// Lý do thu hồi.
        #[arg(long)]
        reason: String,
        /// Ngày thu hồi (YYYY-MM-DD); mặc định hôm nay.
        #[arg(long, value_parser = parse_date, value_name = "NGÀY")]
        at: Option<NaiveDate>,
    },
    /// Sổ đăng ký: các cột của Phụ lục IV.
    List {
        /// Với --issuer: tỉnh có tệp cơ quan.
        #[arg(long)]
        province: Option<String>,
        /// Mã cơ quan (với --province) hoặc một phần tên cơ quan.
        #[arg(long)]
        issuer: Option<String>,
        /// Năm của ngày văn bản.
        #[arg(long)]
        year: Option<i32>,
        /// Dạng in (docx, xlsx cần --out).
        #[arg(long, value_enum, default_value_t = BookFormat::Text)]
        format: BookFormat,
        /// Tệp ghi (với --format docx, xlsx).
        #[arg(long, value_name = "TỆP")]
        out: Option<PathBuf>,
    },
}

/// The series a book is opened in: as `register take` chooses it.
#[derive(clap::Args)]
pub struct SeriesArgs {
    /// Tỉnh có tệp cơ quan.
    #[arg(long)]
    province: String,
    /// Mã cơ quan trong tệp tỉnh.
    #[arg(long)]
    issuer: String,
    /// Loại văn bản (chọn dãy số khi cơ quan đánh số theo từng loại): mã hoặc chữ viết tắt.
    #[arg(long = "type")]
    kind: String,
    /// Đơn vị soạn thảo của công văn ("NC").
    #[arg(long)]
    unit: Option<String>,
    /// Dãy số văn bản mật.
    #[arg(long)]
    secret: bool,
    /// Ngày mở sổ (YYYY-MM-DD); mặc định hôm nay. Số lấy sau đó không được mang ngày sớm hơn.
    #[arg(long, value_parser = parse_date, value_name = "NGÀY")]
    at: Option<NaiveDate>,
}

impl SeriesArgs {
    /// The series as a request, dated today when no date is given.
    pub fn request(self, today: NaiveDate) -> hoso::app::TakeRequest {
        hoso::app::TakeRequest {
            province: self.province,
            issuer: self.issuer,
            kind: self.kind,
            at: self.at.unwrap_or(today),
            summary: String::new(),
            unit: self.unit,
            signer: String::new(),
            recipients: Vec::new(),
            copies: None,
            secret: self.secret,
            allow_future: false,
        }
    }
}

#[derive(clap::Args)]
pub struct TakeArgs {
    /// Tỉnh có tệp cơ quan.
    #[arg(long)]
    province: String,
    /// Mã cơ quan trong tệp tỉnh.
    #[arg(long)]
    issuer: String,
    /// Loại văn bản: mã (quyet-dinh, cong-van, …) hoặc chữ viết tắt (QĐ, TTr).
    #[arg(long = "type")]
    kind: String,
    /// Ngày văn bản (YYYY-MM-DD); mặc định hôm nay.
    #[arg(long, value_parser = parse_date, value_name = "NGÀY")]
    at: Option<NaiveDate>,
    /// Trích yếu nội dung.
    #[arg(long, default_value = "")]
    summary: String,
    /// Đơn vị soạn thảo: nhóm cuối của ký hiệu công văn ("NC" trong "2389/BCĐ-NC").
    #[arg(long)]
    unit: Option<String>,
    /// Người ký.
    #[arg(long, default_value = "")]
    signer: String,
    /// Một nơi nhận; lặp lại cho mỗi nơi.
    #[arg(long = "recipient")]
    recipients: Vec<String>,
    /// Số lượng bản.
    #[arg(long)]
    copies: Option<u32>,
    /// Văn bản mật: có dãy số riêng.
    #[arg(long)]
    secret: bool,
    /// Xác nhận một ngày quá 30 ngày sau hôm nay.
    #[arg(long)]
    allow_future: bool,
}

impl TakeArgs {
    /// The request, dated today when no date is given.
    pub fn request(self, today: NaiveDate) -> hoso::app::TakeRequest {
        hoso::app::TakeRequest {
            province: self.province,
            issuer: self.issuer,
            kind: self.kind,
            at: self.at.unwrap_or(today),
            summary: self.summary,
            unit: self.unit,
            signer: self.signer,
            recipients: self.recipients,
            copies: self.copies,
            secret: self.secret,
            allow_future: self.allow_future,
        }
    }
}

#[derive(Subcommand)]
pub enum WorkflowCommand {
    /// Kiểm tra tệp quy trình và tệp tỉnh: mỗi lỗi dạng tệp:dòng:cột: lời nhắn; thoát 1 nếu có.
    /// Tệp tỉnh gộp với quy trình gốc nêu cùng (quy-trinh.yaml provinces/tinh.yaml); không nêu
    /// tệp nào thì kiểm mọi tệp của --workflows THƯ_MỤC.
    Check {
        /// Các tệp YAML.
        files: Vec<PathBuf>,
    },
    /// In một quy trình, đã gộp với tệp của tỉnh.
    Show {
        /// Mã quy trình.
        name: String,
        /// Tỉnh có tệp quy trình riêng.
        #[arg(long)]
        province: Option<String>,
        /// Dạng in: YAML, hoặc sơ đồ Mermaid.
        #[arg(long, value_enum, default_value_t = ShowFormat::Yaml)]
        format: ShowFormat,
    },
}

#[derive(Subcommand)]
pub enum DocCommand {
    /// Mọi mẫu văn bản, mục hồ sơ mà mẫu điền, các biến cần có.
    Templates,
    /// Kết xuất một văn bản từ một mẫu và một tệp dữ liệu YAML.
    Render {
        /// Mã mẫu (hoso doc templates liệt kê).
        #[arg(long)]
        template: String,
        /// Tệp dữ liệu YAML.
        #[arg(long, value_name = "TỆP")]
        data: PathBuf,
        /// Định dạng: docx, pdf, hoặc cả hai: docx,pdf.
        #[arg(long, value_enum, value_delimiter = ',', default_value = "docx")]
        format: Vec<DocFormat>,
        /// Tệp ghi; với nhiều định dạng, mỗi tệp mang đuôi của định dạng.
        #[arg(long, value_name = "TỆP")]
        out: PathBuf,
        /// Số trong sổ đăng ký; không có thì để trống số, như dự thảo.
        #[arg(long)]
        number: Option<u32>,
        /// Ngày ban hành (YYYY-MM-DD); không có thì để trống ngày.
        #[arg(long, value_parser = parse_date, value_name = "NGÀY")]
        date: Option<NaiveDate>,
        /// In khung "DỰ THẢO" phía trên (không phải thành phần thể thức).
        #[arg(long)]
        draft_mark: bool,
        /// Ghi PDF/A-2b để lưu trữ.
        #[arg(long)]
        pdf_a: bool,
    },
    /// Kết xuất hàng loạt: mỗi tệp MẪU.yaml trong thư mục --data thành THƯ_MỤC/MẪU.docx|pdf,
    /// song song trên các nhân máy; một tệp hỏng được nêu tên và không dừng các tệp khác.
    RenderAll {
        /// Thư mục các tệp dữ liệu, mỗi tệp mang tên mã mẫu (như samples/documents).
        #[arg(long, value_name = "THƯ_MỤC")]
        data: PathBuf,
        /// Định dạng: docx, pdf, hoặc cả hai: docx,pdf.
        #[arg(long, value_enum, value_delimiter = ',', default_value = "docx,pdf")]
        format: Vec<DocFormat>,
        /// Thư mục ghi (mới, rỗng, hoặc do lệnh này tạo trước đó).
        #[arg(long, value_name = "THƯ_MỤC")]
        out: PathBuf,
        /// Số luồng song song; mặc định bằng số nhân máy.
        #[arg(long)]
        jobs: Option<usize>,
        /// In khung "DỰ THẢO" phía trên.
        #[arg(long)]
        draft_mark: bool,
        /// Ghi PDF/A-2b để lưu trữ.
        #[arg(long)]
        pdf_a: bool,
    },
    /// Kết xuất lại dự thảo đã ghi của một hồ sơ (khi tệp bị mất hoặc chưa ghi được), từ
    /// đúng dữ liệu đã ghi, vào THƯ_MỤC/<hồ sơ>/du-thao/.
    Draft {
        /// Mã hồ sơ.
        case: String,
        /// Mã văn bản (hoso case status liệt kê) hoặc mã mẫu.
        doc: String,
        /// Thư mục ghi dự thảo.
        #[arg(long, default_value = "hoso-out", value_name = "THƯ_MỤC")]
        out: PathBuf,
    },
    /// Kết xuất lại dự thảo của mọi văn bản chưa ban hành (của các hồ sơ đang mở, trong
    /// khoảng ngày soạn, của đơn vị) vào THƯ_MỤC/<hồ sơ>/du-thao/, song song.
    DraftAll {
        /// Thư mục ghi dự thảo.
        #[arg(long, default_value = "hoso-out", value_name = "THƯ_MỤC")]
        out: PathBuf,
        #[command(flatten)]
        chon: SelectArgs,
    },
    /// Ban hành mọi văn bản đã soạn, chưa ban hành (của các hồ sơ đang mở, trong khoảng ngày
    /// soạn, của đơn vị): lấy số theo thứ tự soạn, kết xuất song song, ghi như `doc issue`
    /// vào THƯ_MỤC/<hồ sơ>/. Một văn bản không ban hành được được nêu và không dừng các văn
    /// bản khác.
    IssueAll {
        /// Ngày ban hành (YYYY-MM-DD); mặc định hôm nay.
        #[arg(long, value_parser = parse_date, value_name = "NGÀY", conflicts_with = "ngay_soan")]
        at: Option<NaiveDate>,
        /// Ban hành mỗi văn bản vào đúng ngày soạn (nhập hồ sơ cũ).
        #[arg(long = "ngay-soan")]
        ngay_soan: bool,
        /// Thư mục ghi văn bản chính thức.
        #[arg(long, default_value = "hoso-out", value_name = "THƯ_MỤC")]
        out: PathBuf,
        /// Xác nhận một ngày quá 30 ngày sau hôm nay.
        #[arg(long)]
        allow_future: bool,
        #[command(flatten)]
        chon: SelectArgs,
    },
    /// Ban hành một văn bản đã soạn của hồ sơ: số tiếp theo trong sổ của cơ quan, ngày cố
    /// định, DOCX và PDF chính thức (cùng văn bản kèm theo) ghi vào THƯ_MỤC/<hồ sơ>/. Ban
    /// hành lại cho đúng số và tệp cũ.
    Issue {
        /// Mã hồ sơ.
        case: String,
        /// Mã văn bản (hoso case status liệt kê) hoặc mã mẫu.
        doc: String,
        /// Ngày ban hành (YYYY-MM-DD); mặc định hôm nay.
        #[arg(long, value_parser = parse_date, value_name = "NGÀY")]
        at: Option<NaiveDate>,
        /// Thư mục ghi văn bản chính thức.
        #[arg(long, default_value = "hoso-out", value_name = "THƯ_MỤC")]
        out: PathBuf,
        /// Xác nhận một ngày quá 30 ngày sau hôm nay.
        #[arg(long)]
        allow_future: bool,
        /// Bản dự thảo (DOCX) đã sửa trong Word/LibreOffice: văn bản ban hành mang phần nội
        /// dung của tệp này; phần đầu (số, ngày, trích yếu…) và phần cuối (Nơi nhận, chữ ký)
        /// phải giữ nguyên như hoso soạn.
        #[arg(long, value_name = "TỆP")]
        from: Option<PathBuf>,
    },
}

/// Which cases and documents a batch takes.
#[derive(clap::Args)]
pub struct SelectArgs {
    /// Chỉ hồ sơ của đơn vị này hoặc đơn vị trực thuộc (kon-tum, kon-tum/dak-mar), như
    /// tài khoản web ghi.
    #[arg(long = "don-vi", value_name = "ĐƠN_VỊ")]
    pub agency: Option<String>,
    /// Văn bản soạn từ ngày (YYYY-MM-DD).
    #[arg(long = "tu-ngay", value_parser = parse_date, value_name = "NGÀY")]
    pub from: Option<NaiveDate>,
    /// Văn bản soạn đến ngày (YYYY-MM-DD).
    #[arg(long = "den-ngay", value_parser = parse_date, value_name = "NGÀY")]
    pub to: Option<NaiveDate>,
    /// Số luồng song song; mặc định bằng số nhân máy.
    #[arg(long)]
    pub jobs: Option<usize>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DocFormat {
    Docx,
    Pdf,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CaseListFormat {
    Text,
    Json,
    Xlsx,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DueFormat {
    Text,
    Json,
    Ics,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BookFormat {
    Text,
    Csv,
    Json,
    Docx,
    Xlsx,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShowFormat {
    Yaml,
    Mermaid,
}

pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("`{s}` không phải ngày dạng YYYY-MM-DD"))
}

/// The command tree with Vietnamese headings and help flags on every command.
pub fn command() -> clap::Command {
    localize(<Cli as clap::CommandFactory>::command())
}

/// The name shown for an argument's value, by the argument's id.
fn value_name(id: &str) -> Option<&'static str> {
    Some(match id {
        "province" => "TỈNH",
        "issuer" => "CƠ_QUAN",
        "kind" => "LOẠI",
        "summary" => "TRÍCH_YẾU",
        "unit" => "ĐƠN_VỊ",
        "signer" => "NGƯỜI_KÝ",
        "recipients" => "NƠI_NHẬN",
        "copies" => "SỐ_BẢN",
        "workflow" | "name" => "QUY_TRÌNH",
        "step" => "BƯỚC",
        "template" => "MẪU",
        "item" => "MỤC",
        "year" => "NĂM",
        "reason" => "LÝ_DO",
        "number" => "SỐ",
        "format" => "DẠNG",
        "id" | "case" => "MÃ_HỒ_SƠ",
        "doc" => "VĂN_BẢN",
        "file" | "files" => "TỆP",
        _ => return None,
    })
}

fn localize(cmd: clap::Command) -> clap::Command {
    use clap::{Arg, ArgAction};
    let has_subcommands = cmd.has_subcommands();
    let mut cmd = cmd
        .help_template("{about-with-newline}\nCách dùng: {usage}\n\n{all-args}{after-help}")
        .subcommand_help_heading("Lệnh")
        .subcommand_value_name("LỆNH")
        .disable_help_flag(true)
        .disable_version_flag(true)
        .mut_args(|a| {
            let named = a.get_value_names().is_none_or(|v| {
                v.iter().all(|n| {
                    n.as_str()
                        .chars()
                        .all(|c| c.is_ascii_uppercase() || c == '_')
                })
            });
            let a = match value_name(a.get_id().as_str()) {
                Some(v) if named && a.get_action().takes_values() => a.value_name(v),
                _ => a,
            };
            a.help_heading("Tham số")
        })
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help("In trợ giúp")
                .help_heading("Tham số"),
        );
    if cmd.get_name() == "hoso" {
        cmd = cmd.arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help("In phiên bản")
                .help_heading("Tham số"),
        );
    }
    if has_subcommands {
        cmd = cmd.disable_help_subcommand(true).mut_subcommands(localize);
    }
    cmd
}

/// `--doc MẪU=TỆP`: a template and the data file of its document.
fn parse_doc(s: &str) -> std::result::Result<(String, PathBuf), String> {
    match s.split_once('=') {
        Some((t, f)) if !t.is_empty() && !f.is_empty() => Ok((t.to_string(), PathBuf::from(f))),
        _ => Err(format!(
            "`{s}` không phải MẪU=TỆP (ví dụ to-trinh-de-nghi-cong-nhan-don-vi=to-trinh.yaml)"
        )),
    }
}
